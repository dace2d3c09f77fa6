// Photos made from tuxpaint-stamps-default's photo cut-outs (GPL-2; real photographs of
// animals, food, instruments and vehicles on a transparent background), each set into a
// real photo of a plausible place (a meadow for a cow, a wooden table for fruit, a street
// for a fire engine) with a soft ground shadow. The labels are the cut-out's (checked by
// looking at every stamp) plus the background's scene.
import sharp from 'sharp';
import { loadCutout } from '../lib/images';
import type { Rng } from '../lib/rng';
import type { EventId, Season } from './camera-roll';

export type Setting = 'farm' | 'zoo' | 'woods' | 'ground-bird' | 'sky' | 'water' | 'leaf' | 'aquarium' | 'table' | 'street' | 'beach' | 'floor';

export interface Background {
  id: string;
  pkg: string;
  path: string;
  /** the scene words the composite inherits */
  scene: string[];
  settings: Setting[];
  /** where a subject's base may rest (fraction of the height, top = 0) */
  ground: [number, number];
}

const MATE = 'usr/share/backgrounds/mate/nature/';
const LOM = 'usr/share/backgrounds/';
const PLASMA = (n: string) => `usr/share/wallpapers/${n}/contents/images/2560x1600.jpg`;

export const BACKGROUNDS: Background[] = [
  { id: 'meadow', pkg: 'mate-backgrounds', path: MATE + 'GreenMeadow.jpg', scene: ['grass', 'field'], settings: ['farm', 'zoo', 'ground-bird'], ground: [0.6, 0.95] },
  { id: 'hills', pkg: 'lomiri-wallpapers-16.04', path: LOM + 'aitzgorri_by_Aitzol_Berasategi.jpg', scene: ['field', 'countryside', 'mountain'], settings: ['farm', 'zoo'], ground: [0.82, 0.97] },
  { id: 'dandelions', pkg: 'lomiri-wallpapers-16.04', path: LOM + 'seeding_by_Clements_Engelhardt.jpg', scene: ['field', 'grass'], settings: ['farm', 'ground-bird'], ground: [0.85, 0.97] },
  { id: 'path', pkg: 'plasma-workspace-wallpapers', path: PLASMA('Path'), scene: ['forest', 'tree'], settings: ['woods', 'zoo'], ground: [0.8, 0.96] },
  { id: 'stream', pkg: 'lomiri-wallpapers-16.04', path: LOM + 'life_by_Aitzol_Berasategi.jpg', scene: ['forest', 'rocks'], settings: ['woods', 'zoo'], ground: [0.78, 0.95] },
  { id: 'moss', pkg: 'plasma-workspace-wallpapers', path: PLASMA('OneStandsOut'), scene: ['moss', 'plant'], settings: ['woods', 'ground-bird'], ground: [0.6, 0.95] },
  { id: 'storm-sky', pkg: 'mate-backgrounds', path: MATE + 'Storm.jpg', scene: ['sky', 'clouds'], settings: ['sky'], ground: [0.35, 0.55] },
  { id: 'bridge-sky', pkg: 'lomiri-wallpapers-16.04', path: LOM + 'Bridge_by_Sander_Klootwijk.jpg', scene: ['sky'], settings: ['sky'], ground: [0.4, 0.7] },
  { id: 'fog-lake', pkg: 'plasma-workspace-wallpapers', path: PLASMA('ColdRipple'), scene: ['lake', 'water'], settings: ['water'], ground: [0.8, 0.95] },
  { id: 'dusk-lake', pkg: 'plasma-workspace-wallpapers', path: PLASMA('summer_1am'), scene: ['lake', 'water'], settings: ['water'], ground: [0.8, 0.96] },
  { id: 'leaf', pkg: 'mate-backgrounds', path: MATE + 'Blinds.jpg', scene: ['leaf', 'plant'], settings: ['leaf'], ground: [0.5, 0.85] },
  { id: 'raindrops', pkg: 'mate-backgrounds', path: MATE + 'RainDrops.jpg', scene: ['leaf', 'plant'], settings: ['leaf'], ground: [0.5, 0.85] },
  { id: 'water-blue', pkg: 'mate-backgrounds', path: MATE + 'Aqua.jpg', scene: ['aquarium', 'water'], settings: ['aquarium'], ground: [0.45, 0.8] },
  { id: 'table', pkg: 'puzzle-jigsaw', path: 'usr/share/puzzle-jigsaw/images/table.png', scene: ['table', 'indoor'], settings: ['table', 'floor'], ground: [0.7, 0.92] },
  { id: 'wood', pkg: 'mate-backgrounds', path: MATE + 'Wood.jpg', scene: ['table', 'indoor'], settings: ['table', 'floor'], ground: [0.7, 0.92] },
  { id: 'leuven-a', pkg: 'opencv-doc', path: 'usr/share/doc/opencv-doc/examples/data/leuvenA.jpg', scene: ['street', 'houses', 'city'], settings: ['street'], ground: [0.88, 0.97] },
  { id: 'leuven-b', pkg: 'opencv-doc', path: 'usr/share/doc/opencv-doc/examples/data/leuvenB.jpg', scene: ['street', 'houses', 'city'], settings: ['street'], ground: [0.88, 0.97] },
  { id: 'dune', pkg: 'mate-backgrounds', path: MATE + 'Dune.jpg', scene: ['beach', 'sand', 'sea'], settings: ['beach', 'ground-bird'], ground: [0.85, 0.97] },
];

export interface Cutout {
  id: string;
  /** stamp files (under usr/share/tuxpaint/stamps/), laid side by side */
  stamps: string[];
  labels: string[];
  setting: Setting;
  event: EventId;
  season?: Season;
  /** the subject's height as a fraction of the frame */
  size?: [number, number];
}

const c = (id: string, stamps: string | string[], labels: string[], setting: Setting, event: EventId, more: Partial<Cutout> = {}): Cutout => ({
  id,
  stamps: (Array.isArray(stamps) ? stamps : [stamps]).map((s) => `usr/share/tuxpaint/stamps/${s}.png`),
  labels,
  setting,
  event,
  ...more,
});

const M = 'animals/mammals/';
const B = 'animals/birds/';
export const CUTOUTS: Cutout[] = [
  c('dog-beach', M + 'dogs/dog', ['dog', 'pet'], 'beach', 'cornwall', { size: [0.5, 0.7] }),
  c('dog-park', M + 'dogs/dog', ['dog', 'pet'], 'farm', 'home', { season: 'spring' }),
  c('rabbit', M + 'rodents/rabbit', ['rabbit', 'pet'], 'ground-bird', 'home', { season: 'spring' }),
  c('rabbit-little', M + 'rabbit_little', ['rabbit', 'pet'], 'floor', 'home'),
  c('cow', M + 'bovines/cow', ['cow'], 'farm', 'dales'),
  c('cow-white', M + 'bovines/cow_white', ['cow'], 'farm', 'lakes'),
  c('sheep', M + 'bovines/sheep', ['sheep'], 'farm', 'lakes'),
  c('lamb', M + 'bovines/sheep_lamb', ['sheep', 'lamb'], 'farm', 'dales'),
  c('pig', M + 'pig_golden', ['pig'], 'farm', 'dales'),
  c('goat', M + 'bovines/goat', ['goat'], 'farm', 'dales'),
  c('horse', M + 'equines/horse', ['horse'], 'farm', 'lakes'),
  c('donkey', M + 'equines/donkey', ['donkey'], 'beach', 'cornwall'),
  c('hen', B + 'hen', ['chicken', 'hen'], 'farm', 'dales', { size: [0.35, 0.55] }),
  c('rooster', B + 'rooster', ['chicken', 'rooster'], 'farm', 'dales', { size: [0.35, 0.55] }),
  c('duck', B + 'duck', ['duck'], 'water', 'home', { season: 'spring', size: [0.25, 0.4] }),
  c('drake', B + 'drake', ['duck'], 'water', 'lakes', { size: [0.3, 0.45] }),
  c('goose', B + 'gander', ['goose'], 'ground-bird', 'home', { season: 'autumn' }),
  c('koala', 'animals/marsupials/koala', ['koala'], 'zoo', 'zoo'),
  c('kangaroo', 'animals/marsupials/kangaroo', ['kangaroo'], 'zoo', 'zoo'),
  c('wombat', 'animals/marsupials/wombat', ['wombat'], 'zoo', 'zoo', { size: [0.3, 0.45] }),
  c('zebra', M + 'equines/zebra', ['zebra'], 'zoo', 'zoo'),
  c('giraffe', M + 'giraffe', ['giraffe'], 'zoo', 'zoo', { size: [0.75, 0.9] }),
  c('lion', M + 'cats/lion-2', ['lion'], 'zoo', 'zoo'),
  c('tiger', M + 'cats/tiger', ['tiger'], 'zoo', 'zoo'),
  c('elephant', M + 'elephant', ['elephant'], 'zoo', 'zoo', { size: [0.6, 0.8] }),
  c('hippo', M + 'hippopotamus', ['hippo'], 'water', 'zoo'),
  c('camel', M + 'camel/camel', ['camel'], 'zoo', 'zoo', { size: [0.6, 0.8] }),
  c('chimp', M + 'apes/chimp', ['chimpanzee', 'monkey'], 'woods', 'zoo'),
  c('bear', M + 'bears/european-bear', ['bear'], 'woods', 'zooWinter'),
  c('otter', M + 'aquatic/otter', ['otter'], 'water', 'zooWinter'),
  c('sea-lion', M + 'aquatic/sea_lion', ['sea lion'], 'water', 'zoo'),
  c('penguin', B + 'penguin', ['penguin'], 'water', 'zoo'),
  c('penguins', [B + 'magellanic_penguin', B + 'little-penguin'], ['penguin'], 'water', 'zooWinter'),
  c('flamingo', B + 'pink_flamingo', ['flamingo'], 'water', 'zoo', { size: [0.6, 0.8] }),
  c('peacock', B + 'peacock', ['peacock'], 'ground-bird', 'zoo', { size: [0.25, 0.4] }),
  c('toucan', B + 'tucan', ['toucan'], 'woods', 'zoo', { size: [0.4, 0.6] }),
  c('lorikeet', B + 'rainbow-lorikeet', ['parrot', 'lorikeet'], 'woods', 'zoo', { size: [0.3, 0.45] }),
  c('ostrich', B + 'ostrich', ['ostrich'], 'zoo', 'zooWinter', { size: [0.65, 0.85] }),
  c('fox', M + 'dogs/fox', ['fox'], 'woods', 'home', { season: 'winter' }),
  c('squirrel', M + 'rodents/squirrel', ['squirrel'], 'woods', 'home', { season: 'autumn', size: [0.3, 0.5] }),
  c('deer', M + 'deer/deer', ['deer'], 'woods', 'lakes'),
  c('doe', M + 'deer/doe', ['deer'], 'farm', 'dales'),
  c('badger', M + 'badger', ['badger'], 'woods', 'lakes', { size: [0.25, 0.4] }),
  c('owl', B + 'owl', ['owl'], 'woods', 'zoo', { size: [0.4, 0.6] }),
  c('seagull', B + 'seagull', ['seagull'], 'sky', 'cornwall', { size: [0.25, 0.4] }),
  c('gull-beach', B + 'silver-gull', ['seagull'], 'beach', 'cascais', { size: [0.3, 0.5] }),
  c('pigeon', B + 'pigeon', ['pigeon'], 'street', 'london', { size: [0.25, 0.4] }),
  c('blackbird', B + 'blackbird', ['blackbird'], 'ground-bird', 'home', { season: 'spring', size: [0.3, 0.45] }),
  c('crow', B + 'crow', ['crow'], 'ground-bird', 'reykjavik', { size: [0.3, 0.45] }),
  c('heron', B + 'heron_greatblue', ['heron'], 'water', 'lakes', { size: [0.45, 0.65] }),
  c('hornet', 'animals/insects/hornet', ['hornet', 'wasp'], 'leaf', 'home', { season: 'summer', size: [0.3, 0.45] }),
  c('hoverfly', 'animals/insects/hoverfly', ['hoverfly'], 'leaf', 'home', { season: 'summer', size: [0.35, 0.5] }),
  c('grasshopper', 'animals/insects/grasshopper', ['grasshopper'], 'leaf', 'porto', { size: [0.3, 0.45] }),
  c('slug', 'animals/insects/Brown_slug', ['slug'], 'leaf', 'home', { season: 'autumn', size: [0.2, 0.3] }),
  c('frog', 'animals/amphibians/frog', ['frog'], 'woods', 'home', { season: 'spring', size: [0.3, 0.45] }),
  c('iguana', 'animals/lizards/iguana', ['iguana', 'lizard', 'reptile'], 'zoo', 'zoo', { size: [0.3, 0.45] }),
  c('seahorse', 'animals/fish/seahorse', ['seahorse', 'fish'], 'aquarium', 'lisbon', { size: [0.5, 0.7] }),
  c('butterflyfish', 'animals/fish/butterflyfish', ['fish'], 'aquarium', 'lisbon', { size: [0.35, 0.5] }),
  c('lionfish', 'animals/fish/lionfish', ['fish', 'lionfish'], 'aquarium', 'lisbon', { size: [0.4, 0.6] }),
  c('fruit-bowl', ['food/fruit/banana', 'food/fruit/apple_red', 'food/fruit/pear'], ['fruit', 'banana', 'apple', 'pear', 'food'], 'table', 'home', { size: [0.3, 0.45] }),
  c('strawberries', ['food/fruit/strawberry', 'food/fruit/Strawberry2'], ['strawberry', 'fruit', 'food'], 'table', 'home', { season: 'summer', size: [0.25, 0.4] }),
  c('grapes', 'food/fruit/grapes', ['grapes', 'fruit', 'food'], 'table', 'porto', { size: [0.4, 0.55] }),
  c('pineapple', 'food/fruit/pineapple', ['pineapple', 'fruit', 'food'], 'table', 'home', { size: [0.5, 0.7] }),
  c('lemons', ['food/fruit/lemon', 'food/fruit/lemon'], ['lemon', 'fruit', 'food'], 'table', 'lisbon', { size: [0.25, 0.35] }),
  c('cherries', 'food/fruit/Cherry_Stella', ['cherry', 'fruit', 'food'], 'table', 'home', { season: 'summer', size: [0.35, 0.5] }),
  c('veg', ['food/vegetables/broccoli', 'food/vegetables/carrot', 'food/vegetables/corn'], ['vegetables', 'broccoli', 'carrot', 'corn', 'food'], 'table', 'home', { size: [0.3, 0.45] }),
  c('pumpkin', 'food/vegetables/pumpkin_small', ['pumpkin', 'food'], 'floor', 'home', { season: 'autumn', size: [0.35, 0.5] }),
  c('mushroom', 'plants/mushrooms/cep', ['mushroom'], 'woods', 'lakes', { size: [0.3, 0.45] }),
  c('mushrooms', ['plants/mushrooms/cep-1', 'plants/mushrooms/cep-2'], ['mushroom'], 'woods', 'home', { season: 'autumn', size: [0.25, 0.4] }),
  c('turkey-dinner', 'seasonal/christmas/Roast_turkey', ['roast turkey', 'food', 'christmas dinner'], 'table', 'york', { size: [0.4, 0.55] }),
  c('mince-pies', ['seasonal/christmas/Mince_Pie', 'seasonal/christmas/Mince_Pie'], ['mince pie', 'food'], 'table', 'york', { size: [0.25, 0.35] }),
  c('pudding', 'seasonal/christmas/Christmas_pudding', ['christmas pudding', 'food'], 'table', 'york', { size: [0.4, 0.55] }),
  c('xmas-tree', 'seasonal/christmas/Christmas_Tree_photo', ['christmas tree'], 'floor', 'york', { size: [0.75, 0.9] }),
  c('violin', 'hobbies/music/string/violin', ['violin', 'musical instrument'], 'table', 'home', { size: [0.6, 0.8] }),
  c('cello', 'hobbies/music/string/cello', ['cello', 'musical instrument'], 'floor', 'home', { size: [0.75, 0.9] }),
  c('guitar', 'hobbies/music/string/guitar_classical', ['guitar', 'musical instrument'], 'floor', 'home', { size: [0.7, 0.85] }),
  c('drums', 'hobbies/music/percussion/drumkit', ['drum kit', 'drum', 'musical instrument'], 'floor', 'york', { size: [0.55, 0.75] }),
  c('trumpet', 'hobbies/music/brass/trumpet', ['trumpet', 'musical instrument'], 'table', 'home', { size: [0.2, 0.3] }),
  c('beetle-car', 'vehicles/auto/beetle', ['car'], 'street', 'amsterdam', { size: [0.3, 0.45] }),
  c('fire-engine', 'vehicles/emergency/firetruck', ['fire engine', 'truck'], 'street', 'home', { size: [0.3, 0.45] }),
  c('balloon', 'vehicles/flight/balloon360', ['hot air balloon'], 'sky', 'icelandSouth', { size: [0.35, 0.55] }),
  c('airplane', 'vehicles/flight/planes/747', ['airplane'], 'sky', 'reykjavik', { size: [0.15, 0.25] }),
  c('tricycle', 'vehicles/cycle/pink_tricycle', ['tricycle', 'bicycle', 'toy'], 'floor', 'home', { size: [0.5, 0.7] }),
  c('camera', 'hobbies/camera_35mm', ['camera'], 'table', 'home', { size: [0.35, 0.5] }),
  c('binoculars', 'hobbies/binoculars', ['binoculars'], 'table', 'lakes', { size: [0.35, 0.5] }),
  c('teapot', 'household/dishes/teapot', ['teapot'], 'table', 'home', { size: [0.4, 0.55] }),
  c('kettle', 'household/kettle', ['kettle'], 'table', 'home', { size: [0.45, 0.6] }),
  c('post-box', 'town/uk_post_box', ['post box'], 'street', 'york', { size: [0.45, 0.6] }),
  c('cone', 'town/roadsigns/traffic_cone', ['traffic cone'], 'street', 'home', { size: [0.3, 0.45] }),
  c('football', 'sports/soccer', ['football', 'ball'], 'farm', 'home', { season: 'summer', size: [0.25, 0.35] }),
  c('tennis', 'sports/tennis_racket', ['tennis racket', 'sport'], 'floor', 'home', { size: [0.55, 0.75] }),
];

/** The backgrounds a setting may use. */
export function backgroundsFor(setting: Setting): Background[] {
  return BACKGROUNDS.filter((b) => b.settings.includes(setting));
}

const SHADOWLESS = new Set<Setting>(['sky', 'aquarium', 'leaf']);

/**
 * The cut-outs set into the (already upright) background image, as a W x H RGB raw buffer:
 * the background cropped and softly blurred (the depth of field of a close subject), the
 * subjects side by side at the ground line, each over a soft elliptical shadow.
 */
export async function composeCutouts(background: Buffer, bgSpec: Background, stampFiles: string[], cut: Cutout, size: { width: number; height: number }, r: Rng): Promise<Buffer> {
  const { width: W, height: H } = size;
  const meta = await sharp(background).metadata();
  const bw = meta.width!,
    bh = meta.height!;
  // a crop of 65-100% of the background with the frame's aspect
  const frac = r.range(0.65, 1);
  let cw = Math.round(bw * frac),
    ch = Math.round((cw * H) / W);
  if (ch > bh) {
    ch = bh;
    cw = Math.round((ch * W) / H);
  }
  const bg = await sharp(background)
    // keep the ground (or, for the sky, the top) of the background where its ground range says
    .extract({ left: r.int(0, bw - cw), top: cut.setting === 'sky' ? 0 : bh - ch, width: cw, height: ch })
    .resize(W, H)
    .blur(r.range(0.6, 1.6))
    .modulate({ brightness: r.range(0.92, 1.08) })
    .removeAlpha()
    .raw()
    .toBuffer();

  const [lo, hi] = cut.size ?? [0.4, 0.65];
  const layers: sharp.OverlayOptions[] = [];
  const n = stampFiles.length;
  const slot = W / n;
  const ground = r.range(bgSpec.ground[0], bgSpec.ground[1]);
  for (const [i, file] of stampFiles.entries()) {
    const img = await loadCutout(file, 512);
    if (!img) throw new Error(`tuxpaint stamp ${file} could not be read`);
    let h = Math.round(H * r.range(lo, hi));
    let w = Math.round((img.width * h) / img.height);
    const maxW = Math.round(slot * 0.9);
    if (w > maxW) {
      w = maxW;
      h = Math.round((img.height * w) / img.width);
    }
    const fitted = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } }).resize(w, h).raw().toBuffer();
    const left = Math.round(i * slot + r.range(0.05, 0.95) * Math.max(0, slot - w));
    // side by side on one ground line, each a little in front or behind
    const bottom = Math.round(H * Math.min(0.98, ground + r.range(-0.02, 0.02)));
    const top = Math.max(0, Math.min(H - h, bottom - h));
    if (!SHADOWLESS.has(cut.setting)) {
      // an ellipse under the subject's base, blurred; its canvas kept inside the frame
      const sh = Math.max(6, Math.round(h * 0.08));
      const pad = sh * 2;
      const sw = Math.min(Math.round(w * 0.9), W - 2 * pad);
      const shadow = Buffer.from(`<svg width="${sw + 2 * pad}" height="${sh + 2 * pad}"><ellipse cx="${sw / 2 + pad}" cy="${sh / 2 + pad}" rx="${sw / 2}" ry="${sh / 2}" fill="black" fill-opacity="0.45"/></svg>`);
      const blurred = await sharp(shadow).blur(Math.max(1, sh / 2)).png().toBuffer();
      const sx = Math.max(0, Math.min(W - sw - 2 * pad, left + Math.round(w / 2) - Math.round(sw / 2) - pad));
      const sy = Math.max(0, Math.min(H - sh - 2 * pad, top + h - Math.round(sh / 2) - pad));
      layers.push({ input: blurred, left: sx, top: sy });
    }
    layers.push({ input: fitted, raw: { width: w, height: h, channels: 4 }, left: Math.max(0, Math.min(W - w, left)), top });
  }
  return sharp(bg, { raw: { width: W, height: H, channels: 3 } }).composite(layers).removeAlpha().raw().toBuffer();
}
