// Small JSON-schema pieces shared by the route schemas.

/** A required text: at least one non-blank character, at most `max`. */
export const text = (max: number, description?: string) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength: max,
    pattern: '\\S',
    ...(description ? { description } : {}),
  }) as const;

export const optionalText = (max: number) => ({ type: 'string', maxLength: max }) as const;
