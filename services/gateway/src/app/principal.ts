/** Who is calling: the verified `role` and `sub` claims of the bearer token. */
export const ROLES = ['customer', 'merchant', 'rider', 'ops'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  readonly role: Role;
  /** Customer id, merchant id, rider id or ops user id, depending on the role. */
  readonly id: string;
}

/** Ids we accept in tokens and paths: they end up in Redis keys and log lines, so keep them plain. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$';
export const isPlainId = (value: string): boolean => new RegExp(ID_PATTERN).test(value);
