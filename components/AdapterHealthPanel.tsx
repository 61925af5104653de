export function AdapterHealthPanel() {
  return null;
}
