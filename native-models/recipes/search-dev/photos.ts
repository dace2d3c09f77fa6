// The real photos of the search dev library: where each comes from (Debian package, path
// inside it), what a person would search it by (checked by looking at every photo:
// objects and animals, the scene, how many people), and which trip or day of home life
// it is filed under. None comes from the reserved sets (gcompris-qt-data, python3-skimage).
import type { EventId, Season } from './camera-roll';

export interface SourcePhoto {
  /** a stable key: seeds and the README's inventory use it */
  id: string;
  pkg: string;
  /** inside the unpacked package */
  path: string;
  /** what it shows: objects, animals and the scene, as a person would name them */
  labels: string[];
  /** how many people are clearly visible (0 when absent) */
  people?: number;
  event: EventId;
  /** home photos: the time of year they must fall in */
  season?: Season;
  /** clockwise turn (degrees) that puts the source the right way up */
  upright?: 0 | 90 | 180 | 270;
  /** a region to keep (fractions: left, top, width, height), e.g. to leave out a tutorial's overlay */
  crop?: [number, number, number, number];
  /** kept small, as a messaging app's copy (no EXIF) */
  small?: boolean;
}

const OCV = 'usr/share/doc/opencv-doc/examples/data/';
const OCVH = 'usr/share/doc/opencv-doc/opencv4/html/';
const OCVX = 'usr/share/doc/opencv-doc/examples/';
const PLASMA = (name: string, file = '2560x1600.jpg') => `usr/share/wallpapers/${name}/contents/images/${file}`;
const MATE = 'usr/share/backgrounds/mate/nature/';
const LOMIRI = 'usr/share/backgrounds/';
const KPA = 'usr/share/kphotoalbum/demo/';
const PAL = 'usr/share/palapeli/collection/';

const o = (id: string, path: string, labels: string[], event: EventId, more: Partial<SourcePhoto> = {}): SourcePhoto => ({ id, pkg: 'opencv-doc', path, labels, event, ...more });

export const REAL_PHOTOS: SourcePhoto[] = [
  // opencv-doc (Apache-2.0 / BSD-3-Clause): sample data and tutorial photos without overlays
  o('ocv-aero1', OCV + 'aero1.jpg', ['city', 'aerial view', 'river'], 'lisbon'),
  o('ocv-aero3', OCV + 'aero3.jpg', ['city', 'aerial view', 'road'], 'porto'),
  o('ocv-aloe', OCV + 'aloeL.jpg', ['plant', 'aloe', 'flowerpot', 'indoor'], 'home', { season: 'spring' }),
  o('ocv-apple', OCV + 'apple.jpg', ['apple', 'fruit', 'food'], 'home', { season: 'autumn' }),
  o('ocv-baboon', OCV + 'baboon.jpg', ['mandrill', 'monkey', 'animal'], 'zoo'),
  o('ocv-basketball', OCV + 'basketball1.png', ['basketball', 'ball', 'indoor'], 'home', { people: 2 }),
  o('ocv-building', OCV + 'building.jpg', ['building', 'hotel', 'tree'], 'arizona'),
  o('ocv-butterfly', OCV + 'butterfly.jpg', ['butterfly', 'insect', 'leaf'], 'home', { season: 'summer' }),
  o('ocv-chicky', OCV + 'chicky_512.png', ['dog', 'pet'], 'home', { small: true }),
  o('ocv-fruits', OCV + 'fruits.jpg', ['fruit', 'orange', 'lemon', 'lime', 'kiwi', 'food'], 'home'),
  o('ocv-home', OCV + 'home.jpg', ['building', 'palace', 'sky', 'bird'], 'lisbon'),
  o('ocv-books', OCV + 'left.jpg', ['books', 'indoor'], 'home'),
  o('ocv-leuvenA', OCV + 'leuvenA.jpg', ['street', 'houses', 'cobblestones', 'city'], 'amsterdam'),
  o('ocv-leuvenB', OCV + 'leuvenB.jpg', ['street', 'houses', 'cobblestones', 'city'], 'amsterdam'),
  o('ocv-plate', OCV + 'licenseplate_motion.jpg', ['car', 'licence plate', 'street'], 'home'),
  o('ocv-messi', OCV + 'messi5.jpg', ['football', 'soccer', 'ball', 'stadium', 'sport'], 'home', { people: 1, season: 'spring' }),
  o('ocv-orange', OCV + 'orange.jpg', ['orange', 'fruit', 'food'], 'home', { season: 'winter' }),
  o('ocv-squirrel', OCV + 'squirrel_cls.jpg', ['squirrel', 'animal', 'tree'], 'lakes'),
  o('ocv-starry', OCV + 'starry_night.jpg', ['painting', 'art', 'museum'], 'amsterdam'),
  o('ocv-graffiti', OCV + 'graf1.png', ['graffiti', 'street art', 'wall'], 'lisbon'),
  o('ocv-sudoku', OCV + 'sudoku.png', ['sudoku', 'newspaper', 'puzzle'], 'home', { small: true }),
  o('ocv-plant', OCVX + 'alphamat/input_images/plant.jpg', ['plant', 'flowerpot', 'indoor'], 'home'),
  o('ocv-robin', OCVX + 'hfs/data/000.jpg', ['robin', 'bird', 'animal', 'garden'], 'home', { season: 'winter', small: true }),
  o('ocv-sign-parking', OCVX + 'text/scenetext01.jpg', ['sign', 'car', 'street'], 'home', { people: 2 }),
  o('ocv-sign-road', OCVX + 'text/scenetext02.jpg', ['sign', 'road sign', 'tree'], 'home', { season: 'summer' }),
  o('ocv-copy-centre', OCVX + 'text/scenetext03.jpg', ['shop', 'sign', 'building'], 'home'),
  o('ocv-barrier', OCVX + 'text/scenetext05.jpg', ['sign', 'barrier', 'street'], 'home'),
  o('ocv-pub', OCVX + 'text/scenetext06.jpg', ['pub', 'building', 'street', 'car'], 'cornwall'),
  o('ocv-hotel-sign', OCVX + 'text/scenetext_segmented_word01.jpg', ['sign', 'hotel', 'flower'], 'paris', { small: true }),
  o('ocv-stationery', OCVX + 'text/scenetext_segmented_word02.jpg', ['sign', 'shop'], 'london', { small: true }),
  o('ocv-portrait1', OCVH + '227943776_1.jpg', ['portrait', 'face'], 'home', { people: 1, small: true }),
  o('ocv-portrait2', OCVH + '230501201_1.jpg', ['portrait', 'face'], 'home', { people: 1, season: 'summer' }),
  o('ocv-campus', OCVH + 'Background_Subtraction_Tutorial_frame.jpg', ['campus', 'lawn', 'street', 'building'], 'home', { people: 7, crop: [0.06, 0.06, 0.94, 0.94] }),
  o('ocv-pumpkin', OCVH + 'astra_color.jpg', ['pumpkin', 'plant', 'flowerpot', 'indoor'], 'home', { season: 'autumn' }),
  o('ocv-lake-panorama', OCVH + 'boat.jpg', ['lake', 'panorama', 'city'], 'skagen'),
  o('ocv-bus', OCVH + 'pexels_double_decker_bus.jpg', ['bus', 'double-decker bus', 'street', 'city', 'car'], 'london'),
  o('ocv-heath', OCVH + 'retina_TreeHdr_small.jpg', ['tree', 'countryside', 'landscape'], 'cornwall'),
  o('ocv-courthouse', OCVH + 'fusion_mertens.jpg', ['building', 'night', 'city', 'arch'], 'arizona'),
  o('ocv-kitten', OCVH + 'cat_det.jpg', ['cat', 'kitten', 'pet', 'indoor'], 'home', { crop: [0.1, 0.01, 0.8, 0.64], small: true }),

  // plasma-workspace-wallpapers (GPL-2+): the photographs among them
  { id: 'plasma-bythewater', pkg: 'plasma-workspace-wallpapers', path: PLASMA('BytheWater'), labels: ['lake', 'jetty', 'water', 'sunset'], event: 'skagen' },
  { id: 'plasma-coldripple', pkg: 'plasma-workspace-wallpapers', path: PLASMA('ColdRipple'), labels: ['jetty', 'lake', 'fog', 'water'], event: 'lakes' },
  { id: 'plasma-cups', pkg: 'plasma-workspace-wallpapers', path: PLASMA('ColorfulCups'), labels: ['cup', 'indoor'], event: 'home' },
  { id: 'plasma-darkest', pkg: 'plasma-workspace-wallpapers', path: PLASMA('DarkestHour'), labels: ['lake', 'night', 'water'], event: 'glacier' },
  { id: 'plasma-eveningglow', pkg: 'plasma-workspace-wallpapers', path: PLASMA('EveningGlow'), labels: ['boat', 'rowing boat', 'lake', 'sunset', 'mountain'], event: 'lakes' },
  { id: 'plasma-fallenleaf', pkg: 'plasma-workspace-wallpapers', path: PLASMA('FallenLeaf'), labels: ['autumn leaves', 'leaf'], event: 'lakes' },
  { id: 'plasma-kite', pkg: 'plasma-workspace-wallpapers', path: PLASMA('Kite'), labels: ['kite', 'sky', 'clouds'], event: 'cornwall' },
  { id: 'plasma-moss', pkg: 'plasma-workspace-wallpapers', path: PLASMA('OneStandsOut'), labels: ['moss', 'plant'], event: 'icelandSouth' },
  { id: 'plasma-path', pkg: 'plasma-workspace-wallpapers', path: PLASMA('Path'), labels: ['forest', 'path', 'tree'], event: 'lakes' },
  { id: 'plasma-summer1am', pkg: 'plasma-workspace-wallpapers', path: PLASMA('summer_1am'), labels: ['lake', 'dusk', 'water'], event: 'skagen' },

  // palapeli-data (GPL-2+): photos used as jigsaw puzzles
  { id: 'pal-castle', pkg: 'palapeli-data', path: PAL + 'castle-maintenon.jpg', labels: ['castle', 'building', 'lawn', 'sky'], event: 'maintenon' },
  { id: 'pal-bridge', pkg: 'palapeli-data', path: PAL + 'cincinnati-bridge.jpg', labels: ['bridge', 'night', 'river', 'city'], event: 'arizona' },
  { id: 'pal-citrus', pkg: 'palapeli-data', path: PAL + 'citrus-fruits.jpg', labels: ['fruit', 'orange', 'lime', 'lemon', 'food'], event: 'home' },
  { id: 'pal-bee', pkg: 'palapeli-data', path: PAL + 'european-honey-bee.jpg', labels: ['bee', 'insect', 'flower', 'garden'], event: 'home', season: 'summer' },
  { id: 'pal-chameleon', pkg: 'palapeli-data', path: PAL + 'panther-chameleon-female.jpg', labels: ['chameleon', 'lizard', 'reptile', 'animal', 'tree'], event: 'zoo' },

  // python-matplotlib-data (matplotlib licence, PSF-style): its sample portrait
  { id: 'mpl-hopper', pkg: 'python-matplotlib-data', path: 'usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg', labels: ['portrait', 'uniform', 'flag'], people: 1, event: 'home', small: true },

  // mate-backgrounds (GPL-2+): nature photographs
  { id: 'mate-aqua', pkg: 'mate-backgrounds', path: MATE + 'Aqua.jpg', labels: ['water drop', 'water'], event: 'home' },
  { id: 'mate-leaf', pkg: 'mate-backgrounds', path: MATE + 'Blinds.jpg', labels: ['leaf', 'plant'], event: 'home', season: 'summer' },
  { id: 'mate-dune', pkg: 'mate-backgrounds', path: MATE + 'Dune.jpg', labels: ['beach', 'dunes', 'grass', 'sea'], event: 'skagen' },
  { id: 'mate-freshflower', pkg: 'mate-backgrounds', path: MATE + 'FreshFlower.jpg', labels: ['flower', 'garden'], event: 'home', season: 'summer' },
  { id: 'mate-garden', pkg: 'mate-backgrounds', path: MATE + 'Garden.jpg', labels: ['flower', 'garden'], event: 'amsterdam' },
  { id: 'mate-meadow', pkg: 'mate-backgrounds', path: MATE + 'GreenMeadow.jpg', labels: ['grass', 'field'], event: 'dales' },
  { id: 'mate-ladybird', pkg: 'mate-backgrounds', path: MATE + 'LadyBird.jpg', labels: ['ladybird', 'insect', 'flower', 'plant'], event: 'home', season: 'spring' },
  { id: 'mate-raindrops', pkg: 'mate-backgrounds', path: MATE + 'RainDrops.jpg', labels: ['leaf', 'raindrops', 'plant'], event: 'home', season: 'autumn' },
  { id: 'mate-storm', pkg: 'mate-backgrounds', path: MATE + 'Storm.jpg', labels: ['storm', 'clouds', 'road', 'sky'], event: 'icelandSouth' },
  { id: 'mate-dandelion', pkg: 'mate-backgrounds', path: MATE + 'TwoWings.jpg', labels: ['dandelion', 'flower', 'plant'], event: 'home', season: 'spring' },
  { id: 'mate-yellowflower', pkg: 'mate-backgrounds', path: MATE + 'YellowFlower.jpg', labels: ['flower', 'garden'], event: 'home', season: 'summer' },

  // lomiri-wallpapers-16.04 / -20.04 (CC-BY-4.0 / CC-BY-SA-4.0, authors in their copyright files)
  { id: 'lom-aitzgorri', pkg: 'lomiri-wallpapers-16.04', path: LOMIRI + 'aitzgorri_by_Aitzol_Berasategi.jpg', labels: ['mountain', 'meadow', 'autumn', 'countryside'], event: 'lakes' },
  { id: 'lom-dragonfly', pkg: 'lomiri-wallpapers-16.04', path: LOMIRI + 'Dragonfly_by_Bolly.jpg', labels: ['dragonfly', 'insect', 'tree', 'leaf', 'sky'], event: 'cornwall' },
  { id: 'lom-friends', pkg: 'lomiri-wallpapers-16.04', path: LOMIRI + 'friends_by_Aitzol_Berasategi.jpg', labels: ['dog', 'pet', 'door', 'window'], event: 'porto' },
  { id: 'lom-stream', pkg: 'lomiri-wallpapers-16.04', path: LOMIRI + 'life_by_Aitzol_Berasategi.jpg', labels: ['forest', 'stream', 'rocks', 'water'], event: 'lakes' },
  { id: 'lom-picos', pkg: 'lomiri-wallpapers-16.04', path: LOMIRI + 'picosdeeuropa_by_Aitzol_Berasategi.jpg', labels: ['mountain', 'path', 'snow', 'clouds', 'hiking'], event: 'lakes' },
  { id: 'lom-seeding', pkg: 'lomiri-wallpapers-16.04', path: LOMIRI + 'seeding_by_Clements_Engelhardt.jpg', labels: ['dandelion', 'field', 'plant'], event: 'dales' },
  { id: 'lom-sunset', pkg: 'lomiri-wallpapers-16.04', path: LOMIRI + 'sunset_by_Aitzol_Berasategi.jpg', labels: ['sunset', 'hill', 'sky', 'countryside'], event: 'icelandSouth' },
  { id: 'lom-fig', pkg: 'lomiri-wallpapers-16.04', path: LOMIRI + 'Picture_0B_by_freespace.jpg', labels: ['fig', 'fruit', 'plate', 'food'], event: 'lisbon' },
  { id: 'lom-brushes', pkg: 'lomiri-wallpapers-16.04', path: LOMIRI + 'Picture_1A_by_freespace.jpg', labels: ['paint brushes', 'paint'], event: 'home' },
  { id: 'lom-wine', pkg: 'lomiri-wallpapers-16.04', path: LOMIRI + 'Wine_by_Jakkub_Mede.jpg', labels: ['wine', 'bottle', 'wine glass', 'drum', 'indoor', 'room'], event: 'porto' },
  { id: 'lom-nuthatch', pkg: 'lomiri-wallpapers-20.04', path: LOMIRI + 'Kleiber_by_Lukas_Baubkus.jpg', labels: ['nuthatch', 'bird', 'animal', 'tree', 'snow'], event: 'home', season: 'winter' },

  // kphotoalbum (GPL-2+): its demo album, a real camera roll
  { id: 'kpa-anne', pkg: 'kphotoalbum', path: KPA + 'anne_helene.jpg', labels: ['beach', 'sand', 'sea'], people: 1, event: 'skagen' },
  { id: 'kpa-bar', pkg: 'kphotoalbum', path: KPA + 'bar55.jpg', labels: ['bar', 'pub', 'indoor', 'night'], people: 4, event: 'home', season: 'december' },
  { id: 'kpa-bar2', pkg: 'kphotoalbum', path: KPA + 'bar55_2.jpg', labels: ['bar', 'pub', 'drink', 'wine glass', 'indoor', 'night'], people: 2, event: 'home', season: 'december' },
  { id: 'kpa-coldwater', pkg: 'kphotoalbum', path: KPA + 'cold_water.jpg', labels: ['beach', 'sea'], people: 4, event: 'skagen' },
  { id: 'kpa-donna', pkg: 'kphotoalbum', path: KPA + 'donna.jpg', labels: ['dog', 'pet', 'forest', 'autumn leaves'], event: 'home', season: 'autumn' },
  { id: 'kpa-donna2', pkg: 'kphotoalbum', path: KPA + 'donna_2.jpg', labels: ['dog', 'pet', 'indoor'], event: 'home' },
  { id: 'kpa-canyon1', pkg: 'kphotoalbum', path: KPA + 'grand_canyon_1.jpg', labels: ['canyon', 'mountain', 'landscape', 'sky'], people: 2, event: 'arizona', upright: 180 },
  { id: 'kpa-canyon2', pkg: 'kphotoalbum', path: KPA + 'grand_canyon_2.jpg', labels: ['canyon', 'mountain', 'landscape', 'sky'], people: 1, event: 'arizona' },
  { id: 'kpa-canyon3', pkg: 'kphotoalbum', path: KPA + 'grand_canyon_3.jpg', labels: ['canyon', 'mountain', 'landscape', 'sky'], event: 'arizona' },
  { id: 'kpa-jesper', pkg: 'kphotoalbum', path: KPA + 'jesper.jpg', labels: ['portrait', 'face'], people: 1, event: 'home' },
  { id: 'kpa-jesper2', pkg: 'kphotoalbum', path: KPA + 'jesper_2.jpg', labels: ['portrait', 'face', 'indoor'], people: 1, event: 'york' },
  { id: 'kpa-newwave', pkg: 'kphotoalbum', path: KPA + 'new_wave_2.jpg', labels: ['portrait', 'face', 'indoor'], people: 1, event: 'home' },
  { id: 'kpa-pool', pkg: 'kphotoalbum', path: KPA + 'pool.jpg', labels: ['billiards', 'pool table', 'indoor'], people: 2, event: 'home' },
  { id: 'kpa-pool2', pkg: 'kphotoalbum', path: KPA + 'pool_2.jpg', labels: ['billiards', 'pool table', 'indoor'], people: 1, event: 'home' },
  { id: 'kpa-skagen', pkg: 'kphotoalbum', path: KPA + 'skagen.jpg', labels: ['sea', 'waves', 'sky'], event: 'skagen' },
  { id: 'kpa-skagen2', pkg: 'kphotoalbum', path: KPA + 'skagen_2.jpg', labels: ['coast', 'sea', 'aerial view', 'beach'], event: 'skagen' },
  { id: 'kpa-snow', pkg: 'kphotoalbum', path: KPA + 'snow.jpg', labels: ['airport', 'airplane', 'snow'], event: 'reykjavik' },
  { id: 'kpa-spiff', pkg: 'kphotoalbum', path: KPA + 'spiff.jpg', labels: ['rabbit', 'pet', 'grass', 'garden', 'animal'], event: 'home', season: 'summer' },
  { id: 'kpa-spiff2', pkg: 'kphotoalbum', path: KPA + 'spiff_2.jpg', labels: ['rabbit', 'pet', 'box', 'animal', 'indoor'], event: 'home' },
  { id: 'kpa-sunset', pkg: 'kphotoalbum', path: KPA + 'sunset.jpg', labels: ['sunset', 'sky', 'tree'], event: 'skagen' },
  { id: 'kpa-wayne', pkg: 'kphotoalbum', path: KPA + 'wayne.jpg', labels: ['billiards', 'pool table', 'bar', 'indoor'], people: 2, event: 'home', upright: 90 },

  // puzzle-jigsaw (samples from Pexels, CC0-1.0)
  { id: 'pj-cat', pkg: 'puzzle-jigsaw', path: 'usr/share/puzzle-jigsaw/samples/cat-animal-cat-portrait-mackerel.jpg', labels: ['cat', 'pet', 'animal'], event: 'home' },
  { id: 'pj-tiger', pkg: 'puzzle-jigsaw', path: 'usr/share/puzzle-jigsaw/samples/pexels-photo-302304.jpeg', labels: ['tiger', 'animal', 'snow'], event: 'zooWinter' },
];

/** Photos every search cares about are labelled with these words too (so "animals" finds a koala). */
export const BROADER: Record<string, string[]> = {
  animal: ['dog', 'cat', 'rabbit', 'bird', 'robin', 'nuthatch', 'squirrel', 'butterfly', 'bee', 'ladybird', 'dragonfly', 'insect', 'chameleon', 'lizard', 'mandrill', 'monkey', 'tiger', 'koala', 'kangaroo', 'zebra', 'giraffe', 'lion', 'elephant', 'hippo', 'camel', 'chimpanzee', 'bear', 'otter', 'sea lion', 'penguin', 'flamingo', 'peacock', 'toucan', 'parrot', 'ostrich', 'fox', 'deer', 'badger', 'owl', 'seagull', 'pigeon', 'crow', 'blackbird', 'heron', 'hornet', 'hoverfly', 'grasshopper', 'slug', 'frog', 'fish', 'seahorse', 'cow', 'sheep', 'pig', 'goat', 'horse', 'donkey', 'chicken', 'duck', 'goose', 'iguana', 'reptile', 'wasp'],
  bird: ['robin', 'nuthatch', 'penguin', 'flamingo', 'peacock', 'toucan', 'parrot', 'ostrich', 'owl', 'seagull', 'pigeon', 'crow', 'blackbird', 'heron', 'chicken', 'duck', 'goose'],
  fruit: ['apple', 'orange', 'lemon', 'lime', 'kiwi', 'fig', 'banana', 'strawberry', 'grapes', 'pineapple', 'pear', 'cherry'],
  insect: ['butterfly', 'bee', 'ladybird', 'dragonfly', 'hornet', 'hoverfly', 'grasshopper'],
  vehicle: ['car', 'bus', 'double-decker bus', 'fire engine', 'airplane', 'bicycle', 'tricycle', 'boat', 'rowing boat', 'hot air balloon'],
};

/** A photo's labels with their broader words added. */
export function expandLabels(labels: readonly string[]): Set<string> {
  const out = new Set(labels);
  for (const [broad, narrow] of Object.entries(BROADER)) if (labels.some((l) => narrow.includes(l))) out.add(broad);
  return out;
}
