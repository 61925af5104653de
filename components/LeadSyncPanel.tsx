import type { Lead } from '@/utils/model';

export function LeadSyncPanel(_props: { lead: Lead }) {
  return null;
}
