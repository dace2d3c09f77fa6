// Ask's built-in candidate answers: short words a VQA model ranks against a question about
// a photo (MMEB VQA targets are short answer texts). The user's own options join these.
const numbers = Array.from({ length: 21 }, (_, i) => String(i));
const numberWords = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'many', 'none', 'a few', 'dozens'];
const yesNo = ['yes', 'no'];
const colours = [
  'red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown', 'black', 'white', 'gray', 'silver', 'gold', 'beige',
  'turquoise', 'navy', 'maroon', 'tan', 'multicolored',
];
const people = ['man', 'woman', 'boy', 'girl', 'child', 'baby', 'people', 'person', 'family', 'friends', 'crowd', 'nobody', 'couple', 'player', 'chef'];
const animals = [
  'dog', 'cat', 'bird', 'horse', 'cow', 'sheep', 'goat', 'pig', 'chicken', 'duck', 'fish', 'rabbit', 'mouse', 'bear', 'elephant', 'giraffe',
  'zebra', 'lion', 'tiger', 'monkey', 'deer', 'fox', 'squirrel', 'butterfly', 'bee', 'snake', 'turtle', 'frog', 'seagull', 'pigeon', 'owl',
];
const objects = [
  'car', 'bus', 'truck', 'bicycle', 'motorcycle', 'train', 'airplane', 'boat', 'ship', 'skateboard', 'surfboard', 'skis', 'kite', 'ball',
  'frisbee', 'umbrella', 'backpack', 'handbag', 'suitcase', 'bottle', 'cup', 'glass', 'wine', 'beer', 'coffee', 'tea', 'plate', 'bowl', 'fork',
  'knife', 'spoon', 'chair', 'table', 'couch', 'bed', 'desk', 'lamp', 'clock', 'book', 'laptop', 'computer', 'phone', 'television', 'keyboard',
  'remote', 'camera', 'guitar', 'piano', 'hat', 'glasses', 'shirt', 'dress', 'jacket', 'shoes', 'tie', 'bag', 'box', 'door', 'window', 'sign',
  'flag', 'fence', 'bench', 'tree', 'flower', 'flowers', 'plant', 'grass', 'leaves', 'rock', 'candle', 'cake', 'pizza', 'sandwich', 'bread',
  'apple', 'banana', 'orange fruit', 'vegetables', 'salad', 'soup', 'pasta', 'rice', 'cheese', 'egg', 'meat', 'ice cream', 'toy', 'teddy bear',
  'receipt', 'document', 'paper', 'letter', 'map', 'ticket', 'screen', 'screenshot', 'painting', 'poster', 'mirror', 'toothbrush', 'scissors',
  'pen', 'key', 'wallet', 'money', 'tent', 'helmet', 'sunglasses', 'watch', 'ring', 'necklace', 'balloon', 'gift', 'bridge', 'tower', 'statue',
];
const scenes = [
  'beach', 'ocean', 'sea', 'lake', 'river', 'mountain', 'mountains', 'forest', 'park', 'garden', 'field', 'desert', 'snow', 'city', 'street',
  'road', 'highway', 'building', 'house', 'church', 'castle', 'kitchen', 'bedroom', 'bathroom', 'living room', 'office', 'classroom',
  'restaurant', 'cafe', 'bar', 'shop', 'market', 'supermarket', 'airport', 'station', 'stadium', 'museum', 'library', 'hospital', 'farm',
  'zoo', 'playground', 'parking lot', 'harbor', 'island', 'waterfall', 'sky', 'indoors', 'outdoors', 'home', 'school', 'party', 'wedding',
  'concert', 'festival', 'camping', 'hiking', 'swimming', 'skiing', 'surfing', 'cooking', 'eating', 'reading', 'sleeping', 'playing',
  'walking', 'running', 'sitting', 'standing', 'dancing', 'working',
];
const weather = ['sunny', 'cloudy', 'rainy', 'snowy', 'foggy', 'windy', 'stormy', 'clear', 'overcast'];
const time = [
  'day', 'night', 'morning', 'afternoon', 'evening', 'sunset', 'sunrise', 'noon', 'midnight', 'dusk', 'dawn', 'spring', 'summer', 'autumn',
  'fall', 'winter', 'christmas', 'birthday', 'weekend',
];
const qualities = [
  'left', 'right', 'top', 'bottom', 'center', 'front', 'back', 'inside', 'outside', 'up', 'down', 'big', 'small', 'large', 'tiny', 'tall',
  'short', 'long', 'old', 'new', 'young', 'happy', 'sad', 'smiling', 'wet', 'dry', 'hot', 'cold', 'open', 'closed', 'empty', 'full', 'clean',
  'dirty', 'round', 'square', 'wood', 'metal', 'plastic', 'stone', 'brick', 'glass window', 'dark', 'bright', 'blurry', 'striped',
];

/** The built-in answers, deduplicated, in a fixed order (their embeddings are cached by index). */
export const ANSWER_VOCABULARY: readonly string[] = [
  ...new Set([...yesNo, ...numbers, ...numberWords, ...colours, ...people, ...animals, ...objects, ...scenes, ...weather, ...time, ...qualities]),
];
