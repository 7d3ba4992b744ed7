const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its text form, in either case (order and offer ids are UUIDs). */
export const isUuid = (value: string): boolean => UUID.test(value);
