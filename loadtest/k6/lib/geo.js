import { CITY } from './env.js';

const M_PER_DEG_LAT = 111_320;

/** A random point within `metres` of the city centre, evenly spread over the disc. */
export function nearCentre(metres) {
  const r = metres * Math.sqrt(Math.random());
  const a = 2 * Math.PI * Math.random();
  return {
    lat: CITY.lat + (r * Math.cos(a)) / M_PER_DEG_LAT,
    lng: CITY.lng + (r * Math.sin(a)) / (M_PER_DEG_LAT * Math.cos((CITY.lat * Math.PI) / 180)),
  };
}
