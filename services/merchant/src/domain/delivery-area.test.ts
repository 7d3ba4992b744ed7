import { describe, expect, it } from 'vitest';
import { deliveryAreaRefusal } from './delivery-area.ts';
import { distanceMeters } from './geo.ts';

const alexanderplatz = { lat: 52.5219, lng: 13.4132 };
const merchant = { location: alexanderplatz, deliveryRadiusM: 3_000 };

describe('delivery area', () => {
  it('delivers within the radius and refuses beyond it, naming the drop-off', () => {
    const brandenburgerTor = { lat: 52.5163, lng: 13.3777 }; // ~2.5 km
    const potsdam = { lat: 52.3906, lng: 13.0645 }; // ~27 km
    expect(deliveryAreaRefusal(merchant, brandenburgerTor)).toBeUndefined();
    const refusal = deliveryAreaRefusal(merchant, potsdam);
    expect(refusal).toMatchObject({
      kind: 'conflict',
      code: 'OUT_OF_DELIVERY_AREA',
      fields: [{ field: 'dropoff', message: expect.stringContaining('3000 m') as unknown }],
    });
    expect(refusal?.message).toContain(`${Math.round(distanceMeters(alexanderplatz, potsdam))} m away`);
  });

  it('puts the boundary itself inside', () => {
    const east = { lat: alexanderplatz.lat, lng: alexanderplatz.lng + 0.03 };
    const exact = { ...merchant, deliveryRadiusM: distanceMeters(alexanderplatz, east) };
    expect(deliveryAreaRefusal(exact, east)).toBeUndefined();
    expect(deliveryAreaRefusal({ ...exact, deliveryRadiusM: exact.deliveryRadiusM - 1 }, east)).toBeDefined();
  });

  it('does not refuse a request without a drop-off (a caller from before the field)', () => {
    expect(deliveryAreaRefusal(merchant, undefined)).toBeUndefined();
  });
});
