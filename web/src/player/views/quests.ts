import type { Feature } from "geojson";
import { ApiError } from "../../common/api";
import { h } from "../../common/dom";
import type { Ctx } from "../context";

interface QuestSummary {
  slug: string;
  title: string;
  story: string;
  steps: number;
  repeatable: boolean;
  rewards: { xp: number; badge: string | null; coupon: string | null };
}
interface StepView {
  id: string;
  kind: string;
  poi: string;
  dwell_s: number | null;
  hint: string | null;
  question?: string;
}
interface QuestDetail extends Omit<QuestSummary, "steps"> {
  steps: StepView[];
  pois: { features: Feature[] };
}
interface StepProgress {
  id: string;
  done: boolean;
}
interface QuestProgress {
  slug: string;
  run: number;
  status: "started" | "completed";
  steps: StepProgress[];
}
export interface MyQuests {
  xp: number;
  level: number;
  quests: QuestProgress[];
}

/** The latest run of each quest. */
function latest(mine: MyQuests): Map<string, QuestProgress> {
  const runs = new Map<string, QuestProgress>();
  for (const run of mine.quests) runs.set(run.slug, run);
  return runs;
}

function statusLabel(ctx: Ctx, run: QuestProgress | undefined): HTMLElement | string {
  if (!run) return "";
  const key = run.status === "completed" ? "quest.completed" : "quest.started";
  return h("span", { className: `pill ${run.status}`, dataset: { status: run.status } }, ctx.i18n.t(key));
}

export async function renderQuests(ctx: Ctx, root: HTMLElement, slug?: string): Promise<void> {
  const [quests, mine] = await Promise.all([ctx.api<QuestSummary[]>("/v1/quests"), ctx.api<MyQuests>("/v1/me/quests")]);
  const runs = latest(mine);
  if (slug) return renderQuest(ctx, root, slug, runs.get(slug));
  root.replaceChildren(
    h("h2", {}, ctx.i18n.t("quests.title")),
    h(
      "ul",
      { className: "cards" },
      quests.map((quest) =>
        h(
          "li",
          {},
          h(
            "button",
            { type: "button", className: "card", onclick: () => ctx.go("quests", quest.slug), dataset: { quest: quest.slug } },
            h("strong", {}, quest.title),
            h("span", { className: "muted" }, quest.story),
            statusLabel(ctx, runs.get(quest.slug)),
          ),
        ),
      ),
    ),
  );
}

async function renderQuest(ctx: Ctx, root: HTMLElement, slug: string, run: QuestProgress | undefined): Promise<void> {
  const t = ctx.i18n.t.bind(ctx.i18n);
  const quest = await ctx.api<QuestDetail>(`/v1/quests/${encodeURIComponent(slug)}`);
  const done = new Set(run?.steps.filter((s) => s.done).map((s) => s.id));
  const donePois = new Set(quest.steps.filter((s) => done.has(s.id) || (run?.status === "completed")).map((s) => s.poi));
  ctx.showSteps(quest.pois.features, donePois);
  const canStart = !run || (run.status === "completed" && quest.repeatable);
  root.replaceChildren(
    h("button", { type: "button", className: "link", onclick: () => ctx.go("quests") }, `← ${t("quest.back")}`),
    h("h2", { id: "quest-title" }, quest.title, " ", statusLabel(ctx, run)),
    h("p", {}, quest.story),
    h("p", { className: "muted" }, t("quest.rewards", { xp: quest.rewards.xp })),
    canStart ? h("button", { type: "button", className: "primary", onclick: () => start(ctx, slug) }, t("quest.start")) : "",
    h("h3", {}, t("quest.steps")),
    h("ol", { className: "steps" }, quest.steps.map((step) => stepItem(ctx, quest, step, run, done.has(step.id)))),
  );
}

function stepItem(ctx: Ctx, quest: QuestDetail, step: StepView, run: QuestProgress | undefined, done: boolean): HTMLElement {
  const t = ctx.i18n.t.bind(ctx.i18n);
  const site = ctx.sites.get(step.poi)?.name ?? step.poi;
  const label = t(`step.${step.kind}`, { site, s: step.dwell_s ?? 0 });
  const item = h(
    "li",
    { className: done ? "done" : "", dataset: { step: step.id, done: String(done) } },
    h("button", { type: "button", className: "link", onclick: () => ctx.showSite(step.poi) }, label),
    " ",
    h("span", { className: "muted" }, `(${t(done ? "step.done" : "step.todo")})`),
    step.hint ? h("p", { className: "muted" }, step.hint) : "",
  );
  if (step.kind === "quiz" && !done && run?.status === "started") item.append(quizForm(ctx, quest.slug, step, site));
  return item;
}

function quizForm(ctx: Ctx, quest: string, step: StepView, site: string): HTMLElement {
  const t = ctx.i18n.t.bind(ctx.i18n);
  const id = `answer-${step.id}`;
  const input = h("input", { id, name: "answer", autocomplete: "off", required: true, maxLength: 200 });
  const here = ctx.here.has(step.poi);
  return h(
    "form",
    {
      className: "quiz",
      onsubmit: (event: Event) => {
        event.preventDefault();
        if (!ctx.play?.act({ type: "answer", quest, step: step.id, answer: input.value })) ctx.toast(t("status.offline"));
      },
    },
    here ? h("p", { className: "here", role: "note" }, t("quiz.here", { site })) : "",
    h("p", { className: "question" }, step.question ?? ""),
    h("label", { htmlFor: id }, t("quiz.answer")),
    input,
    h("button", { type: "submit", className: "primary" }, t("quiz.send")),
  );
}

async function start(ctx: Ctx, slug: string): Promise<void> {
  try {
    await ctx.api(`/v1/quests/${encodeURIComponent(slug)}/start`, { method: "POST", body: {} });
  } catch (error) {
    ctx.toast(error instanceof ApiError ? error.message : String(error));
  }
  ctx.rerender();
}
