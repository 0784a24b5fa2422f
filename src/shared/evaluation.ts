import { z } from 'zod';

/** The parts of a run's eval.json (written by the evaluate engine) the Evaluate screen draws. */
export const EvalBin = z.object({ lo: z.number(), hi: z.number(), centre: z.number(), views: z.number(), rates: z.record(z.string(), z.number()) });

export const EvalSummary = z.object({
  metric: z.string().optional(),
  goal: z.string().optional(),
  class: z.string().optional(),
  views: z.number().optional(),
  scenes: z.array(z.string()).optional(),
  seenInTraining: z.array(z.string()).optional(),
  variants: z.record(z.string(), z.object({ success: z.number() }).loose()),
  bins: z.record(z.string(), z.array(EvalBin)).default({}),
  notes: z.array(z.string()).default([]),
});
export type EvalSummary = z.infer<typeof EvalSummary>;
