// The photographed documents of the search dev library: receipts, tickets, wifi cards,
// menus, signs, letters, labels and posters with specific, searchable content, each filed
// under the trip or day it belongs to. Rendered as phone photos by lib/document-photos.ts.
import type { DocumentKind } from '../lib/document-photos';
import type { EventId } from './camera-roll';

export interface DocumentEntry {
  id: string;
  kind: DocumentKind;
  /** printed lines; "left\tright" prints in two columns */
  lines: string[];
  event: EventId;
  /** the day it was photographed (UTC, YYYY-MM-DD): the day its printed date says, or near it */
  date: string;
  /** words a person would use for what it is (receipt, ticket, ...) beyond its kind */
  labels?: string[];
}

const d = (id: string, kind: DocumentKind, event: EventId, date: string, lines: string[], more: Partial<DocumentEntry> = {}): DocumentEntry => ({ id, kind, event, date, lines, ...more });

export const DOCUMENTS: DocumentEntry[] = [
  d('bike-shop', 'receipt', 'home', '2021-05-15', ['Velo Bike Shop', '42 Oldham Street', 'Manchester M1 1JN', 'Tel 0161 228 4410', '15/05/2021\t10:42', 'Invoice No. VB-20931', 'Inner tube 700x28\t7.99', 'Brake pads (pair)\t14.50', 'Chain lube 100ml\t8.00', 'Workshop: gear service\t35.00', 'TOTAL\t£65.49', 'VISA ****4417', 'Ride safe - see you soon!']),
  d('grocery', 'receipt', 'home', '2021-03-02', ['Green Valley Market', 'Burton Road, Didsbury', 'Manchester M20 6LJ', 'VAT No. 318 4471 22', '02/03/2021\t18:05', 'Sourdough loaf\t3.20', 'Free range eggs x6\t2.10', 'Oat milk 1L\t1.65', 'Cheddar 400g\t3.75', 'Bananas\t0.95', 'Coffee beans 250g\t6.50', 'TOTAL\t£18.15', 'CONTACTLESS ****4417', 'Thank you for shopping local']),
  d('pastelaria', 'receipt', 'lisbon', '2019-06-09', ['Pastelaria Santo Antonio', 'Rua do Milagre de Santo Antonio 10', '1100-351 Lisboa', 'NIF 508 114 471', '09/06/2019\t09:14', 'Fatura FS 2019/4471', '2 x Pastel de nata\t2.60', 'Galao\t1.40', 'Bica\t0.80', 'TOTAL EUR\t4.80', 'Obrigado!']),
  d('train-porto', 'ticket', 'lisbon', '2019-06-13', ['CP Comboios de Portugal', 'ALFA PENDULAR', 'Lisboa Santa Apolonia', '-> Porto Campanha', 'Thursday 13 June 2019', 'Departure 09:39\tArrival 12:28', 'Carriage 5\tSeat 47', 'Tourist class\tEUR 31.70', 'Ticket 190613-4471-0093']),
  d('wifi-lisbon', 'wifi-card', 'lisbon', '2019-06-08', ['Welcome to Casa Azul', 'Guest WiFi', 'Network: CasaAzul-Guest', 'Password: sardinha2019', 'Enjoy Lisbon!']),
  d('porto-dinner', 'receipt', 'porto', '2019-06-14', ['Taberna do Infante', 'Rua da Alfandega 2', '4050-029 Porto', 'NIF 507 993 120', '14/06/2019\t21:37', 'Francesinha\t12.50', 'Bacalhau a Bras\t14.00', 'Vinho verde 0.5L\t9.00', 'Agua\t1.50', 'TOTAL EUR\t37.00', 'Obrigado e volte sempre']),
  d('port-cellar', 'ticket', 'porto', '2019-06-15', ['Port Wine Cellar Tour', 'Vila Nova de Gaia', '15 June 2019\t15:00', 'Tour + 3 tastings', '2 Adults\tEUR 36.00', 'Ticket No. 775104']),
  d('boarding-kef', 'ticket', 'reykjavik', '2022-02-10', ['BOARDING PASS', 'Icelandair FI 441', 'From Manchester MAN', 'To Reykjavik Keflavik KEF', 'Thursday 10 Feb 2022', 'Boarding 11:25\tGate 12', 'Seat 23A\tGroup 3', 'Passenger PRICE/EMMA']),
  d('wifi-vik', 'wifi-card', 'icelandSouth', '2022-02-13', ['Guesthouse Vik', 'WiFi', 'Network: Vik-Guesthouse', 'Password: northernlights22', 'Breakfast 7:30 - 10:00']),
  d('reykjavik-menu', 'menu', 'reykjavik', '2022-02-10', ['Kaffi Hus', 'SOUPS', 'Icelandic lamb soup\t2490 kr', 'Fish soup of the day\t2290 kr', 'MAINS', 'Arctic char, potatoes\t3990 kr', 'Plokkfiskur\t3190 kr', 'DESSERTS', 'Skyr cake\t1490 kr', 'Kleinur\t690 kr']),
  d('sneaker-waves', 'sign', 'icelandSouth', '2022-02-14', ['DANGER', 'Sneaker waves', 'Never turn your back on the ocean', 'Stay well away from the water']),
  d('glacier-boat', 'ticket', 'glacier', '2022-02-15', ['Glacier Lagoon Amphibian Boat Tour', 'Jokulsarlon', '15 Feb 2022\t13:30', '2 Adults\tISK 13,000', 'Booking ref GL-88213']),
  d('reykjavik-bus', 'ticket', 'reykjavik', '2022-02-11', ['Straeto', 'Single fare adult', 'Zone 1', '11.02.2022\t14:08', 'Valid 75 minutes', 'ISK 550']),
  d('concert-poster', 'poster', 'home', '2022-10-20', ['HARBOUR LIGHTS', 'Live at the Albert Hall Manchester', 'Saturday 12 November 2022', 'Doors 7pm', 'with special guests The Tin Foxes', 'Tickets from the box office'], { labels: ['concert'] }),
  d('concert-ticket', 'ticket', 'home', '2022-11-12', ['ADMIT ONE', 'Harbour Lights', 'Albert Hall, Peter Street, Manchester', 'Sat 12 Nov 2022', 'Doors 19:00', 'Standing\t£28.50', 'Ticket No. 4471902'], { labels: ['concert'] }),
  d('lost-cat', 'poster', 'home', '2020-07-18', ['LOST CAT', 'Miso - grey tabby with white paws', 'Last seen on Cavendish Road', 'Very friendly, answers to her name', 'Please call 07700 900417']),
  d('mot-letter', 'letter', 'home', '2020-09-05', ['Didsbury Motors', '18 Wilmslow Road', 'Manchester M20 2RG', '3 September 2020', 'Dear Ms Price,', 'Your Ford Fiesta (registration MA16 KXE) is due its', 'MOT test by 30 September 2020. We also recommend', 'replacing the rear tyres and the wiper blades.', 'Please call us to book a time that suits you.', 'Kind regards,', 'Dave Ellis, Service Manager']),
  d('dentist', 'letter', 'home', '2023-01-16', ['Oakwood Dental Practice', '7 Lapwing Lane', 'Manchester M20 2WS', '14 January 2023', 'Dear Ms Price,', 'This is a reminder of your check-up appointment', 'with Dr Okafor on Tuesday 7 February at 8:40am.', 'Please arrive ten minutes early.', 'Yours sincerely,', 'Reception']),
  d('vet-bill', 'receipt', 'home', '2023-10-21', ['Parkside Veterinary Clinic', '122 Barlow Moor Road', 'Manchester M21 8DB', 'Tel 0161 445 2290', '21/10/2023\t16:20', 'Consultation\t42.00', 'Booster vaccination (dog)\t55.00', 'Flea treatment\t18.99', 'TOTAL\t£115.99', 'Patient: Biscuit']),
  d('fuel', 'receipt', 'lakes', '2020-10-04', ['Keswick Service Station', 'Penrith Road, Keswick', 'Cumbria CA12 4LJ', 'Tel 017687 72211', '04/10/2020\t08:51', 'Pump 3 Unleaded\t38.42 L', 'Price per litre\t1.159', 'FUEL TOTAL\t£44.53', 'CARD ****4417', 'Thank you, drive safely']),
  d('launch-sign', 'sign', 'lakes', '2020-10-05', ['Keswick Launch', 'Derwentwater boat trips', 'Every 30 minutes from 10am', 'Round the lake 50 minutes']),
  d('pasty-menu', 'menu', 'cornwall', '2021-08-15', ['The Pasty Shop', 'St Ives', 'Traditional steak pasty\t5.20', 'Cheese and onion pasty\t4.60', 'Cornish cream tea\t6.50', 'Clotted cream ice cream\t3.20', 'Saffron bun\t2.40']),
  d('surf-hire', 'receipt', 'cornwall', '2021-08-17', ['Porthmeor Surf School', 'Porthmeor Beach', 'St Ives TR26 1JU', 'Tel 01736 791800', '17/08/2021\t10:05', 'Surfboard hire 2h\t15.00', 'Wetsuit hire 2h\t10.00', 'Group lesson\t35.00', 'TOTAL\t£60.00', 'Have fun in the waves!']),
  d('wifi-cafe', 'wifi-card', 'home', '2018-03-10', ['Bean There Cafe', 'Free WiFi for customers', 'Network: BeanThere_Free', 'Password: flatwhite77']),
  d('rijksmuseum', 'ticket', 'amsterdam', '2023-04-21', ['Rijksmuseum Amsterdam', 'Adult', 'Friday 21 April 2023', 'Time slot 10:30', 'EUR 22.50', 'Ticket 23042117730']),
  d('van-gogh', 'ticket', 'amsterdam', '2023-04-22', ['Van Gogh Museum', 'Timed entry', 'Saturday 22 April 2023\t11:15', 'Adult\tEUR 20.00', 'Order 8812-4471']),
  d('bike-hire', 'receipt', 'amsterdam', '2023-04-20', ['MacBike Rental', 'Amsterdam Centraal', 'Stationsplein 5, Amsterdam', 'Tel +31 20 624 8391', '20/04/2023\t09:30', '2 x City bike 3 days\t54.00', 'Deposit returned', 'TOTAL EUR\t54.00', 'Veel plezier!']),
  d('zoo-ticket', 'ticket', 'zoo', '2018-05-26', ['Chester Zoo', 'Day ticket', 'Saturday 26 May 2018', '2 Adults\t£57.00', 'Gift Aid included', 'Ref CZ-551920']),
  d('eurostar', 'ticket', 'paris', '2017-04-14', ['Eurostar', 'London St Pancras -> Paris Gare du Nord', 'Friday 14 April 2017', 'Departs 08:31\tArrives 11:47', 'Coach 7\tSeat 61', 'Standard\t£79.00', 'Booking ref QXJ4TN']),
  d('louvre', 'ticket', 'paris', '2017-04-15', ['Musee du Louvre', 'Billet plein tarif', 'Saturday 15 April 2017', 'Entry 14:00', 'EUR 15.00']),
  d('boulangerie', 'receipt', 'paris', '2017-04-16', ['Boulangerie Saint-Germain', '52 Rue de Seine', '75006 Paris', 'Tel 01 43 26 11 07', '16/04/2017\t08:12', '2 Croissants\t2.40', 'Baguette tradition\t1.20', 'Pain au chocolat\t1.30', 'Cafe creme\t3.00', 'TOTAL EUR\t7.90', 'Merci et a bientot']),
  d('toy-shop', 'receipt', 'york', '2022-12-23', ['Shambles Toy Shop', '12 The Shambles', 'York YO1 7LX', 'Tel 01904 655210', '23/12/2022\t15:44', 'Wooden train set\t34.99', 'Jigsaw 1000 pieces\t16.50', 'Gift wrapping\t2.00', 'TOTAL\t£53.49', 'Merry Christmas!']),
  d('farmers-market', 'poster', 'home', '2019-07-06', ['Didsbury Farmers Market', 'Every second Saturday', '9am - 2pm on the Village Green', 'Local bread, cheese, veg and flowers']),
  d('yoga', 'poster', 'home', '2024-01-09', ['Gentle Yoga', 'Tuesdays 7pm', 'St Paul\'s Church Hall', 'All levels welcome - bring a mat', '£6 per class']),
  d('tomato-label', 'label', 'home', '2021-03-13', ['Tomato Gardener\'s Delight', 'Sow indoors March - April', 'Plant out after the last frost', 'Harvest July - October']),
  d('jam-label', 'label', 'home', '2020-09-20', ['Blackberry Jam', 'Picked September 2020', 'Made by Grandma Ruth', 'Best before Sept 2021']),
  d('parcel', 'label', 'home', '2023-06-02', ['ROYAL MAIL TRACKED 48', 'DELIVER TO:', 'EMMA PRICE', '9 CAVENDISH ROAD', 'MANCHESTER M20 1JG', 'TRACKING RM 4471 9023 5GB']),
  d('no-parking', 'sign', 'home', '2016-05-21', ['PRIVATE', 'No parking in front of these gates', 'Access required 24 hours']),
  d('pub-menu', 'menu', 'dales', '2024-04-06', ['The Crown Inn', 'Hawes', 'Wensleydale cheese ploughman\'s\t11.50', 'Steak and ale pie\t15.95', 'Fish and chips\t14.50', 'Sticky toffee pudding\t6.95', 'Local ale (pint)\t4.60']),
  d('dales-creamery', 'receipt', 'dales', '2024-04-06', ['Wensleydale Creamery', 'Gayle Lane', 'Hawes DL8 3RN', 'Tel 01969 667664', '06/04/2024\t12:30', 'Wensleydale with cranberries\t4.95', 'Blue Wensleydale\t5.40', 'Cheese tasting tour\t8.00', 'TOTAL\t£18.35', 'Thank you for visiting']),
];
