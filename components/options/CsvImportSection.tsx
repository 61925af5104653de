export function CsvImportSection() {
  return null;
}
