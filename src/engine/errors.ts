/**
 * An error caused by what the user gave us (a file, a flag, a model). Its message is one line
 * that names the problem; front ends print it without a stack trace.
 */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** The first line of any thrown value, for messages that must stay on one line. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find((line) => line.trim().length > 0)?.trim() ?? text;
}
