export function SampleDataSection() {
  return null;
}
