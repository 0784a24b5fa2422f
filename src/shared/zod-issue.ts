import type { z } from 'zod';

/** The first problem zod found, as "field.path: message"; `whole` names the value when the problem is with all of it. */
export function firstIssue(error: z.ZodError, whole: string): string {
  const issue = error.issues[0];
  const where = issue.path.length > 0 ? issue.path.join('.') : whole;
  return `${where}: ${issue.message}`;
}
