export function SourceRulesSection() {
  return null;
}
