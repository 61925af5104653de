export function OptionsApp() {
  return <main>Settings</main>;
}
