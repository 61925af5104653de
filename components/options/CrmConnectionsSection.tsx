export function CrmConnectionsSection() {
  return null;
}
