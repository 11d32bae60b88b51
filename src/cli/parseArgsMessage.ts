/**
 * A one-line usage error from what `node:util`'s `parseArgs` throws. Its own
 * text explains `--` at length and leaves a quote open (`as in '-- "--bogus"`);
 * every command says the same thing the same way instead, naming the option.
 */
const UNKNOWN = /^Unknown option '([^']+)'/;
const MISSING = /^Option '(-\w, )?(--[\w-]+)(?: <value>)?' argument missing/;
const NO_VALUE = /^Option '(-\w, )?(--[\w-]+)' does not take an argument/;
const POSITIONAL = /^Unexpected argument '([^']*)'/;
/** A string option followed by another option (`--to --json`): its long name is in Node's hint. */
const AMBIGUOUS = /^Option '[^']+' argument is ambiguous\.[\s\S]*?use '(--[\w-]+)=-XYZ'/;

export function parseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = UNKNOWN.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = MISSING.exec(message);
  if (missing) return `option ${missing[2]} needs a value`;
  const noValue = NO_VALUE.exec(message);
  if (noValue) return `option ${noValue[2]} takes no value`;
  const ambiguous = AMBIGUOUS.exec(message);
  if (ambiguous)
    return `option ${ambiguous[1]} needs a value (one starting with a dash is written ${ambiguous[1]}=-value)`;
  const positional = POSITIONAL.exec(message);
  if (positional) return `unexpected argument ${JSON.stringify(positional[1])}`;
  return message;
}
