import { unwrap } from '@mealpeak/core';
import type { GeoPoint } from '../domain/types.ts';
import type { UseCases } from './use-cases.ts';

/** Centre of the demo city: Berlin Mitte, by the Rotes Rathaus. Load tests order around it. */
export const DEMO_CITY_CENTRE: GeoPoint = { lat: 52.52, lng: 13.405 };
export const DEMO_STOCK = 500;

type Dish = readonly [name: string, priceCents: number];
interface DemoMerchant {
  readonly name: string;
  /** Made up, in the street the merchant stands in. */
  readonly address: string;
  readonly at: GeoPoint;
  readonly capacity: number;
  readonly prepMinutes: number;
  readonly menu: readonly Dish[];
}

// prettier-ignore
const DEMO_MERCHANTS: readonly DemoMerchant[] = [
  { name: 'Currywurst am Hackeschen Markt', address: 'Rosenthaler Straße 40, 10178 Berlin', at: { lat: 52.5225, lng: 13.402 }, capacity: 8, prepMinutes: 8,
    menu: [['Currywurst', 450], ['Currywurst mit Pommes', 690], ['Pommes rot-weiss', 350], ['Bratwurst', 420], ['Cola 0,33 l', 250]] },
  { name: 'Mitte Döner', address: 'Oranienburger Straße 52, 10117 Berlin', at: { lat: 52.5255, lng: 13.388 }, capacity: 6, prepMinutes: 8,
    menu: [['Döner Kebab', 650], ['Dürüm', 700], ['Falafel-Teller', 850], ['Lahmacun', 550], ['Pommes', 300], ['Ayran', 200]] },
  { name: 'Pho Rosenthaler', address: 'Rosenthaler Straße 62, 10119 Berlin', at: { lat: 52.5297, lng: 13.4013 }, capacity: 5, prepMinutes: 12,
    menu: [['Pho Bo', 1250], ['Pho Ga', 1150], ['Bun Cha', 1290], ['Sommerrollen', 650], ['Hausgemachter Eistee', 390]] },
  { name: 'Pizzeria Torstraße', address: 'Torstraße 130, 10119 Berlin', at: { lat: 52.529, lng: 13.396 }, capacity: 6, prepMinutes: 14,
    menu: [['Margherita', 950], ['Diavola', 1150], ['Funghi', 1050], ['Quattro Formaggi', 1250], ['Tiramisu', 650], ['Limonata', 350]] },
  { name: 'Ramen Auguststraße', address: 'Auguststraße 41, 10119 Berlin', at: { lat: 52.527, lng: 13.395 }, capacity: 4, prepMinutes: 13,
    menu: [['Tonkotsu Ramen', 1450], ['Shoyu Ramen', 1350], ['Miso Ramen', 1390], ['Gyoza', 650], ['Edamame', 450], ['Matcha-Eis', 500], ['Ramune', 350]] },
  { name: 'Burger Alexanderplatz', address: 'Alexanderplatz 5, 10178 Berlin', at: { lat: 52.5219, lng: 13.4132 }, capacity: 8, prepMinutes: 10,
    menu: [['Classic Burger', 1090], ['Cheeseburger', 1190], ['Veggie Burger', 1150], ['Süßkartoffel-Pommes', 490], ['Chili Cheese Fries', 590], ['Milkshake', 550]] },
  { name: 'Sushi am Spreeufer', address: 'Märkisches Ufer 10, 10179 Berlin', at: { lat: 52.512, lng: 13.407 }, capacity: 5, prepMinutes: 15,
    menu: [['Lachs Maki', 590], ['California Roll', 890], ['Sashimi Mix', 1890], ['Ebi Tempura', 1090], ['Miso-Suppe', 390]] },
  { name: 'Falafel Weinmeister', address: 'Weinmeisterstraße 9, 10178 Berlin', at: { lat: 52.5265, lng: 13.4055 }, capacity: 6, prepMinutes: 8,
    menu: [['Falafel-Sandwich', 550], ['Hummus-Teller', 790], ['Halloumi-Wrap', 690], ['Tabouleh', 550], ['Frischer Minztee', 250]] },
  { name: 'Schnitzelhaus am Gendarmenmarkt', address: 'Charlottenstraße 55, 10117 Berlin', at: { lat: 52.5137, lng: 13.3925 }, capacity: 4, prepMinutes: 15,
    menu: [['Wiener Schnitzel', 1890], ['Jägerschnitzel', 1590], ['Kartoffelsalat', 450], ['Gurkensalat', 400], ['Apfelstrudel', 590], ['Spezi', 300]] },
  { name: 'Thai Kitchen Invalidenstraße', address: 'Invalidenstraße 112, 10115 Berlin', at: { lat: 52.531, lng: 13.383 }, capacity: 6, prepMinutes: 11,
    menu: [['Pad Thai', 1190], ['Grünes Curry', 1290], ['Tom Kha Gai', 990], ['Frühlingsrollen', 550], ['Mango Sticky Rice', 690], ['Thai-Eistee', 390]] },
  { name: 'Bowl Bar Friedrichstraße', address: 'Friedrichstraße 101, 10117 Berlin', at: { lat: 52.517, lng: 13.389 }, capacity: 7, prepMinutes: 9,
    menu: [['Poke Bowl Lachs', 1390], ['Poke Bowl Tofu', 1190], ['Buddha Bowl', 1250], ['Açaí Bowl', 990], ['Kombucha', 450]] },
  { name: 'Café Nikolaiviertel', address: 'Poststraße 12, 10178 Berlin', at: { lat: 52.5168, lng: 13.4085 }, capacity: 5, prepMinutes: 8,
    menu: [['Croissant', 250], ['Franzbrötchen', 280], ['Käsekuchen', 390], ['Avocado-Toast', 890], ['Quiche Lorraine', 690], ['Flat White', 380], ['Rhabarberschorle', 320]] },
];

/** Fixed ids (valid UUIDs, merchants 6d0c0000-..., items 6d0c0001-...) so seeding again updates in place. */
export const demoMerchantId = (n: number): string => `6d0c0000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const demoItemId = (n: number, k: number): string =>
  `6d0c0001-0000-4000-8000-${String(n * 100 + k).padStart(12, '0')}`;

// Open around the clock: whoever runs the demo, whenever, must see orders go through.
const ALL_DAY = Array.from({ length: 7 }, (_, dayOfWeek) => ({
  dayOfWeek,
  openMinute: 0,
  closeMinute: 1440,
}));

/**
 * A small demo city for the local platform and the load tests: 12 merchants within ~2 km of Berlin
 * Mitte, 5-7 dishes each (EUR, stock 500), open around the clock, kitchens of 4-8
 * with auto-pause at three times the capacity. Idempotent: it upserts by fixed ids (and so also
 * resets names, prices and stock to these values).
 */
export async function seedDemoCity(
  uc: Pick<UseCases, 'upsertMerchant' | 'upsertMenuItem'>,
): Promise<{ merchants: number; items: number }> {
  let items = 0;
  for (const [i, m] of DEMO_MERCHANTS.entries()) {
    const merchantId = demoMerchantId(i + 1);
    unwrap(
      await uc.upsertMerchant({
        id: merchantId,
        name: m.name,
        address: m.address,
        location: m.at,
        timeZone: 'Europe/Berlin',
        openingHours: ALL_DAY,
        kitchenCapacity: m.capacity,
        autoPauseBacklog: m.capacity * 3,
        basePrepSeconds: m.prepMinutes * 60,
        currency: 'EUR',
        // Every merchant is within ~2 km of the centre and the demo's customers order within
        // 2 km of it, so every merchant delivers to every demo customer.
        deliveryRadiusM: 5_000,
      }),
    );
    for (const [k, [name, price]] of m.menu.entries()) {
      unwrap(
        await uc.upsertMenuItem({
          merchantId,
          itemId: demoItemId(i + 1, k + 1),
          name,
          description: '',
          price: { amountMinor: price, currency: 'EUR' },
          stock: DEMO_STOCK,
          available: true,
        }),
      );
      items++;
    }
  }
  return { merchants: DEMO_MERCHANTS.length, items };
}
