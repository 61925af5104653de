export function CustomAdapterSection() {
  return null;
}
