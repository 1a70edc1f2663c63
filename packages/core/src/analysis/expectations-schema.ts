import { z } from 'zod';

/** How expected parameters are compared with the actual ones. See docs/expectations.md. */
export const ParameterMatchMode = z.enum(['exact', 'subset', 'ignore']);
export type ParameterMatchMode = z.infer<typeof ParameterMatchMode>;

/** How the order of expected tools is checked. `in_order` is a subsequence: extras are allowed. */
export const OrderMode = z.enum(['strict', 'in_order', 'any']);
export type OrderMode = z.infer<typeof OrderMode>;

export const ExpectedToolObject = z.looseObject({
  name: z.string().min(1),
  parameters: z.record(z.string(), z.unknown()).optional(),
  match: ParameterMatchMode.optional(),
  ignore_keys: z.array(z.string()).optional(),
});
export const ExpectedTool = z.union([z.string().min(1), ExpectedToolObject]);
export type ExpectedTool = z.infer<typeof ExpectedTool>;

/** What a scenario expects of the agent. Stored per scenario or sent inline on a synced result. */
export const Expectations = z.looseObject({
  tools: z.array(ExpectedTool).optional(),
  order: OrderMode.optional(),
  parameter_match: ParameterMatchMode.optional(),
  ignore_keys: z.array(z.string()).optional(),
  forbidden_tools: z.array(z.string().min(1)).optional(),
  /** When true, a forbidden tool's failed call (nothing changed) fails the case too; by default it is a milder finding. */
  forbidden_attempts_fail: z.boolean().optional(),
  /** Tools whose successful calls must be exactly the ones listed in `tools`: any other call of them is an `extra_tool`. */
  exact_tools: z.array(z.string().min(1)).optional(),
  max_steps: z.number().int().nonnegative().optional(),
  max_tool_calls: z.number().int().nonnegative().optional(),
  response_contains: z.array(z.string()).optional(),
  response_not_contains: z.array(z.string()).optional(),
  case_sensitive: z.boolean().optional(),
});
export type Expectations = z.infer<typeof Expectations>;
