/**
 * Unicode bidirectional formatting characters: embeddings and overrides (U+202A–U+202E),
 * isolates (U+2066–U+2069), and the marks (U+200E, U+200F, U+061C). In caller-supplied text
 * an override such as U+202E reverses everything after it on the line. The UI isolates such
 * text (<bdi>, dir="auto"); plain-text surfaces that cannot (notifications) drop them.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** The text without bidi controls; letters of right-to-left scripts are kept as they are. */
export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}
