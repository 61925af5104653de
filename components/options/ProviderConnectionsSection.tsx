export function ProviderConnectionsSection() {
  return null;
}
