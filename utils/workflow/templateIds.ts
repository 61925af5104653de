/**
 * Which templates exist. Kept apart from the rendering (templates.ts) and the default texts
 * (defaultTemplates.ts) so both can name them without importing each other.
 */

/** Call scripts that ship with a default text of their own. */
export const BUILT_IN_CALL_SCRIPT_AREAS = [
  'general',
  'personal-injury',
  'criminal-defense',
  'family-law',
] as const;
export type BuiltInCallScriptArea = (typeof BUILT_IN_CALL_SCRIPT_AREAS)[number];

/**
 * A call script: `callScript.general`, `callScript.personal-injury`, … and the firm's own
 * areas by slug (`callScript.estate-planning`), which start as the general script.
 */
export type CallScriptId = `callScript.${string}`;

export const FIXED_TEMPLATE_IDS = [
  'callScript.general',
  'callScript.personal-injury',
  'callScript.criminal-defense',
  'callScript.family-law',
  'objection',
  'voicemail',
  'greeting.inHours',
  'greeting.afterHours',
  'sms.textBack',
  'sms.autoText',
  'email.confirmation.subject',
  'email.confirmation',
  'email.cadence.subject',
  'email.cadence',
  'survey.text',
] as const;
export type FixedTemplateId = (typeof FIXED_TEMPLATE_IDS)[number];

export type TemplateId = FixedTemplateId | CallScriptId;

/** Email bodies and the id of their subject line: renderForLead returns both. */
export const EMAIL_SUBJECTS = {
  'email.confirmation': 'email.confirmation.subject',
  'email.cadence': 'email.cadence.subject',
} as const satisfies Partial<Record<TemplateId, TemplateId>>;

export const TEMPLATE_LABELS: Record<FixedTemplateId, string> = {
  'callScript.general': 'Call script — general',
  'callScript.personal-injury': 'Call script — personal injury',
  'callScript.criminal-defense': 'Call script — criminal defense / DUI',
  'callScript.family-law': 'Call script — family law',
  objection: 'Objection prompt ("you didn\'t pick up")',
  voicemail: 'Voicemail script (leaving a message)',
  'greeting.inHours': 'Voicemail greeting — in hours',
  'greeting.afterHours': 'Voicemail greeting — after hours',
  'sms.textBack': 'Text-back message',
  'sms.autoText': 'Automatic text after a missed call',
  'email.confirmation.subject': 'Confirmation email — subject',
  'email.confirmation': 'Confirmation email — body',
  'email.cadence.subject': 'Follow-up email (cadence) — subject',
  'email.cadence': 'Follow-up email (cadence) — body',
  'survey.text': 'Post-intake survey (text or email, with your survey link)',
};

/** "Estate planning" → "estate-planning". */
export function areaSlug(area: string): string {
  return (
    area
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'general'
  );
}

export function callScriptId(slug: string): CallScriptId {
  return `callScript.${slug}`;
}

export function isCallScriptId(id: string): id is CallScriptId {
  return /^callScript\.[a-z0-9-]{1,60}$/.test(id);
}

export function isTemplateId(id: string): id is TemplateId {
  return (FIXED_TEMPLATE_IDS as readonly string[]).includes(id) || isCallScriptId(id);
}

/**
 * The built-in script a practice area uses when the firm has not written one for it: DUI is
 * criminal defense, divorce and custody are family law, anything else the general script.
 */
export function builtInAreaFor(practiceArea: string | undefined): BuiltInCallScriptArea {
  const text = (practiceArea ?? '').toLowerCase();
  if (/injur|accident|\bpi\b|wrongful death|malpractice|slip/.test(text)) return 'personal-injury';
  if (/crimin|\bdui\b|\bdwi\b|\bowi\b|\bova?i\b|traffic|felony|misdemeanou?r/.test(text)) {
    return 'criminal-defense';
  }
  if (/family|divorce|custody|child support|alimony|matrimon/.test(text)) return 'family-law';
  return 'general';
}
