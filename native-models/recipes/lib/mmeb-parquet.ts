// Writes MMEB-eval rows as parquet in the schema of TIGER-Lab/MMEB-eval (as pyarrow
// writes a Hugging Face `Sequence(Value('string'))`): qry_text, qry_img_path (string),
// tgt_text, tgt_img_path (3-level LIST of string).
export interface MmebEvalRow {
  qry_text: string;
  qry_img_path: string;
  tgt_text: string[];
  tgt_img_path: string[];
}

const listOfString = (name: string) => [
  { name, repetition_type: 'OPTIONAL' as const, converted_type: 'LIST' as const, num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
  { name: 'element', type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const },
];

export async function writeMmebEvalParquet(filename: string, rows: MmebEvalRow[]): Promise<void> {
  const { parquetWriteFile } = await import('hyparquet-writer');
  for (const [i, r] of rows.entries()) {
    if (r.tgt_text.length !== r.tgt_img_path.length) throw new Error(`row ${i}: tgt_text and tgt_img_path differ in length`);
  }
  parquetWriteFile({
    filename,
    columnData: [
      { name: 'qry_text', data: rows.map((r) => r.qry_text) },
      { name: 'qry_img_path', data: rows.map((r) => r.qry_img_path) },
      { name: 'tgt_text', data: rows.map((r) => r.tgt_text) },
      { name: 'tgt_img_path', data: rows.map((r) => r.tgt_img_path) },
    ],
    schema: [
      { name: 'schema', num_children: 4 },
      { name: 'qry_text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'qry_img_path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      ...listOfString('tgt_text'),
      ...listOfString('tgt_img_path'),
    ],
    rowGroupSize: 100_000,
  });
}
