import { z } from 'zod';

/**
 * Values as Backstage's own config getters take them, for the sections that
 * were read with those getters: a number or boolean may arrive as a string
 * (an environment substitution), and an empty string is no value.
 */
export const configString = z.string().min(1, 'must not be empty');

export const configNumber = z.preprocess(
  value =>
    typeof value === 'string' && value.trim() !== '' ? Number(value) : value,
  z.number({ invalid_type_error: 'must be a number' }).finite(),
);

export const configBoolean = z.preprocess(value => {
  if (typeof value !== 'string' && typeof value !== 'number') {
    return value;
  }
  const text = String(value).trim();
  if (/^(?:y|yes|true|1|on)$/i.test(text)) {
    return true;
  }
  if (/^(?:n|no|false|0|off)$/i.test(text)) {
    return false;
  }
  return value;
}, z.boolean({ invalid_type_error: 'must be true or false' }));
