/**
 * How system-validation messages describe what they inspect. The values may
 * come from JSON or be proxies, so nothing here lets a conversion or a getter
 * throw out of a validation.
 */

export function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : safeString(value);
}

export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The name of the class a prototype belongs to, read without running any getter. */
export function constructorName(prototype: object): string | undefined {
  try {
    const descriptor = Reflect.getOwnPropertyDescriptor(prototype, "constructor");
    const ctor: unknown = descriptor?.value;
    if (typeof ctor !== "function") return undefined;
    const nameDescriptor = Reflect.getOwnPropertyDescriptor(ctor, "name");
    return typeof nameDescriptor?.value === "string" && nameDescriptor.value !== ""
      ? nameDescriptor.value
      : undefined;
  } catch {
    return undefined;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return safeString(error);
}
