import type { CallbackDeskDB } from '../db';
import { SurveyInput, type SurveyAnswer } from '../model';

/**
 * The post-intake survey's answers for a lead (felt valued? response time acceptable?
 * 1–5), as staff record what the caller said. One answer set per lead: saving again
 * replaces it; an empty set (nothing answered) removes it.
 */
export async function saveSurveyAnswer(
  db: CallbackDeskDB,
  input: unknown,
  now: number = Date.now(),
): Promise<SurveyAnswer | null> {
  const parsed = SurveyInput.safeParse(input);
  if (!parsed.success) {
    // The first problem, in words for the form (never zod's own text).
    const issue = parsed.error.issues[0];
    const field = issue?.path[0];
    throw new Error(
      field === 'rating'
        ? 'Rating: choose 1 to 5.'
        : field === 'comment'
          ? 'Comment: at most 2,000 characters.'
          : 'The survey answers could not be read.',
    );
  }
  const data = parsed.data;
  return db.transaction('rw', db.leads, db.surveys, async () => {
    if (!(await db.leads.get(data.leadId))) throw new Error('This lead no longer exists.');
    const answer: SurveyAnswer = { leadId: data.leadId, at: now };
    if (data.feltValued !== undefined) answer.feltValued = data.feltValued;
    if (data.responseTimeAcceptable !== undefined)
      answer.responseTimeAcceptable = data.responseTimeAcceptable;
    if (data.rating !== undefined) answer.rating = data.rating;
    if (data.comment) answer.comment = data.comment;
    if (Object.keys(answer).length === 2) {
      await db.surveys.delete(data.leadId);
      return null;
    }
    await db.surveys.put(answer);
    return answer;
  });
}
