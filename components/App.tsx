export function App({ surface }: { surface: 'sidebar' | 'sidepanel' }) {
  return <main data-surface={surface}>Callback Desk</main>;
}
