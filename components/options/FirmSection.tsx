export function FirmSection() {
  return null;
}
