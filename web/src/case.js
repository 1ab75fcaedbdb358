// A case file: {"id", "title", "seeds": [address, txid, txid:vout or cluster:ID, ...],
// "notes": [{"target", "text"}], ...}. A file with only id, title and seeds is a valid case, and
// fields this version does not know are kept as they were when the case is saved again.

export class CaseError extends Error {}

export class CaseFile {
  constructor(fields = {}) {
    this.fields = { id: '', title: '', seeds: [], notes: [], ...fields };
  }

  // Returns: the case of a file's text. Throws: CaseError naming what is wrong.
  static parse(text) {
    let obj;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new CaseError(`the case file is not JSON: ${e.message}`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new CaseError('the case file must hold one JSON object');
    }
    for (const key of ['id', 'title']) {
      if (typeof obj[key] !== 'string') throw new CaseError(`the case file's "${key}" must be a string`);
    }
    if (!Array.isArray(obj.seeds) || obj.seeds.some((s) => typeof s !== 'string')) {
      throw new CaseError('the case file\'s "seeds" must be a list of strings');
    }
    if (obj.notes !== undefined &&
        (!Array.isArray(obj.notes) ||
         obj.notes.some((n) => !n || typeof n.target !== 'string' || typeof n.text !== 'string'))) {
      throw new CaseError('the case file\'s "notes" must be a list of {"target", "text"}');
    }
    return new CaseFile(obj);
  }

  get id() { return this.fields.id; }
  set id(v) { this.fields.id = v; }
  get title() { return this.fields.title; }
  set title(v) { this.fields.title = v; }
  get seeds() { return this.fields.seeds; }
  get notes() { return this.fields.notes; }

  addSeed(seed) {
    if (!this.fields.seeds.includes(seed)) this.fields.seeds.push(seed);
  }

  addNote(target, text) {
    this.fields.notes.push({ target, text, time: new Date().toISOString() });
  }

  notesOn(target) { return this.fields.notes.filter((n) => n.target === target); }

  toJSON() { return this.fields; }
  text() { return `${JSON.stringify(this.fields, null, 2)}\n`; }
}
