/** The curator's upload: a folder's YAML files (named as `lupiae content validate` names them,
 * i.e. relative to the chosen folder) or one zip. The page keeps each file's text so that a
 * problem can show the offending line itself. */

import { unzipSync, strFromU8 } from "fflate";

export interface Upload {
  /** What is sent: the folder's files under their relative names, or the zip as is. */
  parts: Array<{ name: string; blob: Blob }>;
  /** Each YAML file's lines, by the name problems use. */
  lines: Map<string, string[]>;
}

const YAML = /\.ya?ml$/i;
const HIDDEN = /(^|\/)[._]/;

/** `content/lecce/pois.yaml` (a folder picked as `content`) → `lecce/pois.yaml`. */
export function relativeName(path: string): string {
  const parts = path.split("/");
  return parts.length > 1 ? parts.slice(1).join("/") : path;
}

function split(text: string): string[] {
  return text.replace(/\r\n?/g, "\n").split("\n");
}

export async function fromFolder(files: File[]): Promise<Upload> {
  const upload: Upload = { parts: [], lines: new Map() };
  for (const file of files) {
    const name = relativeName(file.webkitRelativePath || file.name);
    if (!YAML.test(name) || HIDDEN.test(name)) continue;
    upload.parts.push({ name, blob: file });
    upload.lines.set(name, split(await file.text()));
  }
  return upload;
}

export function linesOfZip(bytes: Uint8Array): Map<string, string[]> {
  const lines = new Map<string, string[]>();
  const members = unzipSync(bytes, { filter: (member) => YAML.test(member.name) && !HIDDEN.test(member.name) });
  for (const [name, data] of Object.entries(members)) lines.set(name, split(strFromU8(data)));
  return lines;
}

export async function fromZip(file: File): Promise<Upload> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let lines = new Map<string, string[]>();
  try {
    lines = linesOfZip(bytes);
  } catch {
    // The server says what is wrong with the archive; the page just has no lines to show.
  }
  return { parts: [{ name: file.name, blob: file }], lines };
}

export function formData(upload: Upload): FormData {
  const form = new FormData();
  for (const part of upload.parts) form.append("files", part.blob, part.name);
  return form;
}

/** The line a problem points at (1-based), or null when the page does not have it. */
export function lineOf(upload: Upload, file: string, line: number): string | null {
  const lines = upload.lines.get(file);
  return lines && line >= 1 && line <= lines.length ? lines[line - 1] : null;
}
