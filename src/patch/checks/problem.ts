/** What is wrong with an operation or one of its parts; the caller says where it is. */
export interface OperationProblem {
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export const problem = (
  message: string,
  details: Record<string, unknown> = {},
): OperationProblem => ({ message, details });
