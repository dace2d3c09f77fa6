// What the documents of document-photos.ts say: realistic English receipts, tickets,
// letters, signs, wifi cards, menus, labels and posters made up from small word lists,
// deterministically from a seed. A line "left\tright" is printed in two columns (left
// aligned, right aligned), as receipts and menus print an item and its price; its text
// is "left right".
import { Rng } from './rng';

export type DocumentKind = 'receipt' | 'ticket' | 'letter' | 'sign' | 'wifi-card' | 'menu' | 'label' | 'poster';
export const DOCUMENT_KINDS: readonly DocumentKind[] = ['receipt', 'ticket', 'letter', 'sign', 'wifi-card', 'menu', 'label', 'poster'];

export interface DocumentSpec {
  kind: DocumentKind;
  lines: string[];
  seed: number;
}

/** The text a reader should find on the document: its lines with columns joined by a space. */
export function documentText(spec: DocumentSpec): string {
  return spec.lines.map(lineText).join('\n');
}

export function lineText(line: string): string {
  return line.replace(/\t/g, ' ').trim();
}

const FIRST = ['Emma', 'Liam', 'Olivia', 'Noah', 'Ava', 'James', 'Sophia', 'Lucas', 'Mia', 'Henry', 'Grace', 'Daniel', 'Chloe', 'Samuel', 'Ruth', 'Peter', 'Nora', 'Oscar', 'Alice', 'Martin'];
const LAST = ['Smith', 'Johnson', 'Walker', 'Brooks', 'Turner', 'Hughes', 'Patel', 'Nguyen', 'Garcia', 'Miller', 'Fischer', 'Kowalski', 'Reed', 'Bennett', 'Carter', 'Dawson', 'Ellis', 'Foster'];
const STREETS = ['Main St', 'Oak Avenue', 'Harbor Road', 'Elm Street', 'Station Road', 'Maple Drive', 'King Street', 'Market Square', 'River Lane', 'Church Street', 'Pine Ave', 'Bridge Road', 'Mill Lane', '5th Avenue'];
const TOWNS = [
  ['Portland', 'OR', '97205'],
  ['Burlington', 'VT', '05401'],
  ['Madison', 'WI', '53703'],
  ['Boulder', 'CO', '80302'],
  ['Savannah', 'GA', '31401'],
  ['Ann Arbor', 'MI', '48104'],
  ['Asheville', 'NC', '28801'],
  ['Santa Fe', 'NM', '87501'],
  ['Duluth', 'MN', '55802'],
  ['Eugene', 'OR', '97401'],
] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

interface Shop {
  names: string[];
  items: [string, number, number][]; // name, min price, max price
}
const SHOPS: Record<string, Shop> = {
  bike: {
    names: ['Cycle Works Bike Shop', 'Spoke & Chain Cycles', 'Riverside Bikes', 'Hill Climb Cyclery'],
    items: [['Inner tube 700x25', 6, 12], ['Brake pads', 14, 30], ['Chain lube', 8, 15], ['Bike lock U-bolt', 35, 70], ['Tire lever set', 4, 9], ['Helmet', 45, 120], ['Tune-up service', 60, 95], ['Bottle cage', 9, 25], ['LED rear light', 15, 40], ['Cable housing', 5, 12]],
  },
  grocery: {
    names: ['Green Valley Market', 'Corner Grocery', 'FreshWay Foods', 'Harvest Co-op'],
    items: [['Bananas 1.2 lb', 1, 3], ['Whole milk 1 gal', 3, 5], ['Sourdough bread', 4, 7], ['Eggs large dozen', 3, 6], ['Cheddar cheese', 4, 8], ['Apples Gala', 3, 6], ['Coffee beans', 9, 16], ['Pasta penne', 1, 3], ['Olive oil', 7, 14], ['Greek yogurt', 4, 7], ['Tomatoes', 2, 5]],
  },
  hardware: {
    names: ['Ace Tool & Supply', 'Hometown Hardware', 'Builders Depot'],
    items: [['Wood screws 100pk', 5, 9], ['Paint roller', 7, 14], ['Duct tape', 5, 10], ['Light bulbs 4pk', 8, 16], ['Sandpaper 120 grit', 4, 8], ['Garden hose 50ft', 25, 45], ['Wall anchors', 3, 7], ['Extension cord', 12, 25]],
  },
  cafe: {
    names: ['Blue Door Cafe', 'The Daily Grind', 'Morning Bell Coffee', 'Little Owl Bakery'],
    items: [['Latte 12oz', 4, 6], ['Cappuccino', 4, 6], ['Croissant', 3, 5], ['Blueberry muffin', 3, 5], ['Avocado toast', 8, 12], ['Iced tea', 3, 5], ['Bagel cream cheese', 4, 6], ['Chai latte', 4, 6]],
  },
  pharmacy: {
    names: ['Main Street Pharmacy', 'CarePlus Drugstore', 'Wellness Pharmacy'],
    items: [['Ibuprofen 200mg', 6, 12], ['Toothpaste', 3, 6], ['Sunscreen SPF 50', 9, 15], ['Bandages', 4, 8], ['Vitamin D3', 8, 14], ['Cough drops', 3, 5], ['Shampoo', 5, 10]],
  },
};

const money = (x: number) => x.toFixed(2);
const pad2 = (n: number) => String(n).padStart(2, '0');

function person(r: Rng): string {
  return `${r.pick(FIRST)} ${r.pick(LAST)}`;
}

function address(r: Rng): [string, string] {
  const t = r.pick(TOWNS);
  return [`${r.int(3, 2999)} ${r.pick(STREETS)}`, `${t[0]}, ${t[1]} ${t[2]}`];
}

function phone(r: Rng): string {
  return `(${r.int(201, 989)}) ${r.int(200, 989)}-${String(r.int(0, 9999)).padStart(4, '0')}`;
}

function date(r: Rng): { y: number; m: number; d: number } {
  return { y: r.int(2019, 2025), m: r.int(1, 12), d: r.int(1, 28) };
}

function time(r: Rng): string {
  const h = r.int(7, 21);
  return `${pad2(h)}:${pad2(r.int(0, 59))}`;
}

function receipt(r: Rng): string[] {
  const shop = SHOPS[r.pick(Object.keys(SHOPS))]!;
  const [street, town] = address(r);
  const d = date(r);
  const lines = [r.pick(shop.names), street, town, `Tel ${phone(r)}`];
  if (r.next() < 0.5) lines.push(`Store #${r.int(10, 999)}\tCashier: ${r.pick(FIRST)}`);
  lines.push(`${pad2(d.m)}/${pad2(d.d)}/${d.y}\t${time(r)}`);
  if (r.next() < 0.6) lines.push(`Receipt #${r.int(10000, 999999)}\tReg ${r.int(1, 6)}`);
  let subtotal = 0,
    count = 0;
  // a real till roll: up to a dozen items, some bought more than once
  for (const [name, lo, hi] of r.sample(shop.items, r.int(3, 12))) {
    const qty = r.next() < 0.25 ? r.int(2, 4) : 1;
    const price = Math.round(r.range(lo, hi) * 100) / 100;
    subtotal += qty * price;
    count += qty;
    lines.push(qty > 1 ? `${qty} x ${name}\t${money(qty * price)}` : `${name}\t${money(price)}`);
    if (qty > 1 && r.next() < 0.5) lines.push(`  @ ${money(price)} each`);
  }
  const tax = Math.round(subtotal * r.pick([0.05, 0.0625, 0.07, 0.0825]) * 100) / 100;
  const total = subtotal + tax;
  lines.push(`Subtotal\t${money(subtotal)}`, `Tax\t${money(tax)}`, `TOTAL\t$${money(total)}`);
  if (r.next() < 0.7) {
    lines.push(`${r.pick(['VISA', 'MASTERCARD', 'AMEX', 'DEBIT'])} ****${r.int(1000, 9999)}\t${money(total)}`, `Auth code ${r.int(100000, 999999)}`);
  } else {
    const paid = Math.ceil(total / 5) * 5;
    lines.push(`Cash\t${money(paid)}`, `Change due\t${money(paid - total)}`);
  }
  lines.push(`Items sold: ${count}`);
  lines.push(r.pick(['Thank you for shopping with us!', 'Thank you! Please come again', 'Have a great day!']));
  if (r.next() < 0.6) lines.push(r.pick(['Returns within 30 days with receipt', 'Keep your receipt for warranty', 'Visit us online for opening hours']));
  return lines;
}

function ticket(r: Rng): string[] {
  const d = date(r);
  const when = `${DAYS[r.int(0, 6)]}, ${MONTHS[d.m - 1]} ${d.d} ${d.y}`;
  switch (r.int(0, 2)) {
    case 0: {
      const [from, to] = r.sample(TOWNS, 2).map((t) => t[0]);
      return ['BOARDING PASS', `${r.pick(['Coastal Air', 'Northwind Airlines', 'Skyline Air'])} Flight ${r.pick(['CA', 'NW', 'SK'])}${r.int(100, 2999)}`, `From ${from}`, `To ${to}`, when, `Departs ${time(r)}\tGate ${r.pick(['A', 'B', 'C'])}${r.int(1, 40)}`, `Passenger ${person(r).toUpperCase()}`, `Seat ${r.int(1, 38)}${r.pick(['A', 'B', 'C', 'D', 'E', 'F'])}\tZone ${r.int(1, 5)}`];
    }
    case 1:
      return ['ADMIT ONE', r.pick(['The Paper Moons Live', 'City Symphony Orchestra', 'Spring Jazz Night', 'Riverside Film Festival', 'The Comedy Cellar']), r.pick(['Grand Theater', 'Union Hall', 'The Old Mill Venue', 'Civic Auditorium']), when, `Doors ${time(r)}`, `Row ${r.pick(['A', 'C', 'F', 'K', 'M'])}\tSeat ${r.int(1, 30)}`, `Price $${money(r.int(15, 95))}`, `Ticket No. ${r.int(1000000, 9999999)}`];
    default: {
      const [from, to] = r.sample(TOWNS, 2).map((t) => t[0]);
      return [r.pick(['Amtrak', 'Metro Rail', 'Valley Line']), 'OFF-PEAK RETURN', `${from} to ${to}`, when, `Coach ${r.pick(['B', 'D', 'E'])}\tSeat ${r.int(1, 72)}`, `Adult\t$${money(r.range(12, 80))}`, `Ref ${r.int(100000, 999999)}${r.pick(['AB', 'KX', 'TR'])}`];
    }
  }
}

const LETTER_SENTENCES = [
  'Thank you for your letter of last week.',
  'I am writing to confirm your appointment with our office.',
  'Please find enclosed the invoice for the work completed in your garden.',
  'Your library card will expire at the end of this month.',
  'We are pleased to let you know that your application has been approved.',
  'The annual meeting of the residents association will be held in the community hall.',
  'Please bring this letter and a photo ID with you.',
  'If you have any questions, do not hesitate to call us.',
  'Our records show that the payment is now overdue.',
  'The water supply will be interrupted for maintenance on the morning of the visit.',
  'We look forward to seeing you at the school concert.',
  'Parking is available behind the building.',
  'Your new insurance policy starts on the first day of next month.',
  'Kind regards to the whole family from all of us here.',
];

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const w of text.split(' ')) {
    if (cur && cur.length + 1 + w.length > width) {
      out.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) out.push(cur);
  return out;
}

function letter(r: Rng): string[] {
  const [street, town] = address(r);
  const d = date(r);
  const body = r.sample(LETTER_SENTENCES, r.int(3, 5)).join(' ');
  const from = person(r);
  return [r.pick(['Oakwood Dental Practice', 'City Public Library', 'Greenfield Primary School', 'Harbor Insurance Ltd', 'Hillside Garden Services']), street, town, `${MONTHS_LONG[d.m - 1]} ${d.d}, ${d.y}`, `Dear ${r.pick(['Mr', 'Ms', 'Mrs', 'Dr'])} ${r.pick(LAST)},`, ...wrap(body, r.int(48, 64)), r.pick(['Yours sincerely,', 'Best regards,', 'Kind regards,']), from];
}

function sign(r: Rng): string[] {
  const opens = r.int(7, 10);
  const closes = r.int(5, 9);
  return r.pick([
    ['NO PARKING', 'Private Property', 'Violators will be towed'],
    ['OPEN', `Mon-Fri ${opens}am - ${closes}pm`, `Sat ${opens + 1}am - ${closes - 1}pm`, 'Sun Closed'],
    ['CAUTION', 'Wet Floor'],
    ['PLEASE KEEP', 'THIS DOOR CLOSED'],
    ['Staff Only', 'No Entry'],
    [`${r.pick(STREETS)}`],
    ['Fresh Eggs', `$${r.int(3, 6)} a dozen`, 'Honesty box'],
    ['Lost Cat', r.pick(['Grey tabby named Milo', 'Black cat named Pepper', 'Ginger cat named Toast']), `Call ${phone(r)}`],
    ['Car Wash', 'Saturday 10am - 2pm', `$${r.int(5, 12)} per car`],
  ]);
}

const WIFI_WORDS = ['sunflower', 'blueberry', 'maple', 'harbor', 'pinecone', 'lighthouse', 'meadow', 'copper', 'pebble', 'otter', 'sparrow', 'cobalt'];

function wifiCard(r: Rng): string[] {
  const place = r.pick(['Maple', 'Harbor', 'Cedar', 'Nest', 'Casa', 'Willow', 'Lakeside', 'Hilltop']);
  const net = r.pick([`${place}_Guest`, `${place}-WiFi`, `${place}Home5G`, `${place} Guest`]);
  const pass = r.pick([`${r.pick(WIFI_WORDS)}${r.int(10, 2025)}`, `${r.pick(WIFI_WORDS)}-${r.pick(WIFI_WORDS)}-${r.int(1, 99)}`, `${r.pick(WIFI_WORDS).toUpperCase()}${r.int(100, 999)}!`]);
  const head = r.pick(['Guest WiFi', 'WiFi', 'Welcome! Free WiFi', 'Wireless Internet']);
  const lines = [head, `Network: ${net}`, `Password: ${pass}`];
  if (r.next() < 0.5) lines.push(r.pick(['Enjoy your stay!', 'Please ask staff for help', 'Make yourself at home']));
  return lines;
}

function menu(r: Rng): string[] {
  const lines = [r.pick(['The Copper Kettle', 'Luigi\'s Trattoria', 'Harbor Fish House', 'Sunny Side Diner', 'Green Bowl Kitchen'])];
  const sections: [string, string[]][] = [
    ['Starters', ['Tomato soup', 'Garlic bread', 'Caesar salad', 'Chicken wings', 'Bruschetta']],
    ['Mains', ['Fish and chips', 'Cheeseburger', 'Margherita pizza', 'Grilled salmon', 'Veggie curry', 'Steak frites']],
    ['Desserts', ['Apple pie', 'Chocolate cake', 'Ice cream', 'Lemon tart']],
    ['Drinks', ['Lemonade', 'Iced tea', 'Espresso', 'House red wine']],
  ];
  for (const [title, items] of r.sample(sections, r.int(2, 3))) {
    lines.push(title.toUpperCase());
    for (const it of r.sample(items, r.int(2, 4))) lines.push(`${it}\t${money(r.int(4, 28) - 0.05)}`);
  }
  return lines;
}

function label(r: Rng): string[] {
  const d = date(r);
  if (r.next() < 0.5) {
    const [street, town] = address(r);
    return [r.pick(['PRIORITY MAIL', 'FIRST-CLASS PKG', 'EXPRESS']), 'SHIP TO:', person(r).toUpperCase(), street.toUpperCase(), town.toUpperCase(), `TRACKING # 9400 ${r.int(1000, 9999)} ${r.int(1000, 9999)} ${r.int(1000, 9999)}`];
  }
  const product = r.pick(['Wildflower Honey', 'Strawberry Jam', 'Organic Olive Oil', 'Dark Roast Coffee', 'Basmati Rice', 'Maple Syrup']);
  return [product, `Net wt ${r.int(4, 32)} oz (${r.int(113, 907)} g)`, `Best before ${pad2(d.d)} ${MONTHS[d.m - 1]} ${d.y}`, `Lot ${r.pick(['A', 'B', 'L'])}${r.int(1000, 9999)}`, `Made in ${r.pick(TOWNS)[0]}`];
}

function poster(r: Rng): string[] {
  const d = date(r);
  const [street] = address(r);
  return [
    r.pick(['Summer Street Fair', 'Community Book Sale', 'Farmers Market', 'Open Mic Night', 'Charity Fun Run', 'Yard Sale', 'Kids Science Day']),
    `${DAYS[r.int(0, 6)]} ${MONTHS_LONG[d.m - 1]} ${d.d}`,
    `${r.int(9, 11)}am - ${r.int(2, 6)}pm`,
    street,
    r.pick(['Free entry for everyone', 'Food, music and games', 'All proceeds go to the animal shelter', 'Bring the whole family']),
    `www.${r.pick(['townevents', 'ourcommunity', 'funrun', 'cityfair'])}.org`,
  ];
}

const MAKERS: Record<DocumentKind, (r: Rng) => string[]> = { receipt, ticket, letter, sign, 'wifi-card': wifiCard, menu, label, poster };

/** A document of the given kind whose content is fixed by the seed. */
export function sampleDocument(kind: DocumentKind, seed: number): DocumentSpec {
  const make = MAKERS[kind];
  if (!make) throw new Error(`unknown document kind "${kind}"; expected one of ${DOCUMENT_KINDS.join(', ')}`);
  return { kind, lines: make(new Rng(`document:${kind}:${seed}`)), seed };
}
