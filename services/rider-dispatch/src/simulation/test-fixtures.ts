// A two-order, one-courier instance small enough to work out by hand (see simulator.test.ts).
import { unwrap } from '@mealpeak/core';
import { parseMdrpInstance, type MdrpInstance, type MdrpInstanceTexts } from './mdrp-instance.ts';

export const tinyTexts: MdrpInstanceTexts = {
  parameters:
    'meters_per_minute\tpickup service minutes\tdropoff service minutes\ttarget click-to-door\tmaximum click-to-door\tpay per order\tguaranteed pay per hour\n' +
    '100\t4\t4\t40\t90\t10\t15\n',
  restaurants: 'restaurant\tx\ty\nr1\t0\t0\nr2\t0\t900\n',
  orders:
    'order\tx\ty\tplacement_time\trestaurant\tready_time\no1\t1000\t0\t0\tr1\t10\no2\t0\t500\t5\tr1\t20\n',
  couriers: 'courier\tx\ty\ton_time\toff_time\nc1\t300\t0\t0\t60\n',
};

export function tinyInstance(overrides: Partial<MdrpInstanceTexts> = {}): MdrpInstance {
  return unwrap(parseMdrpInstance('tiny', { ...tinyTexts, ...overrides }));
}
