import { h } from "../../common/dom";

/** A modal <dialog> with a heading and a close button; focus returns where it was. */
export function openDialog(title: string, closeLabel: string, body: Array<Node | string>, className = ""): HTMLDialogElement {
  const opener = document.activeElement as HTMLElement | null;
  const id = `dialog-${Math.random().toString(36).slice(2)}`;
  const dialog = h(
    "dialog",
    { className: `sheet ${className}`, "aria-labelledby": id },
    h("div", { className: "sheet-head" }, h("h2", { id }, title), h("button", { type: "button", className: "secondary", onclick: () => dialog.close() }, closeLabel)),
    ...body,
  );
  dialog.addEventListener("close", () => {
    dialog.remove();
    opener?.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}
