import type { FlowStep, PipelineModel } from './pipeline-model';

/** A Mermaid flowchart of the flow: stages, choice diamonds with their conditions, parallel forks and joins. */
export function pipelineToMermaid(model: PipelineModel): string {
  const lines = ['flowchart TD', '  start([start])'];
  const occurrences = new Map<string, number>();
  let choices = 0;
  let parallels = 0;
  const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;

  /** Draws `steps` after `from` (edge label on the first edge); returns the node(s) the sequence ends at. */
  const sequence = (steps: readonly FlowStep[], from: readonly string[], edge?: string): string[] => {
    let tails = [...from];
    let edgeLabel = edge;
    for (const step of steps) {
      const node = draw(step);
      for (const tail of tails)
        lines.push(`  ${tail} -->${edgeLabel ? `|${label(edgeLabel)}|` : ''} ${node.head}`);
      edgeLabel = undefined;
      tails = node.tails;
    }
    if (edgeLabel !== undefined) return tails.map((t) => `${t}|${edgeLabel}`);
    return tails;
  };
  const link = (tails: readonly string[], target: string) => {
    for (const tail of tails) {
      const [node, edgeLabel] = tail.split('|');
      lines.push(`  ${node} -->${edgeLabel ? `|${label(edgeLabel)}|` : ''} ${target}`);
    }
  };
  const draw = (step: FlowStep): { head: string; tails: string[] } => {
    if (step.kind === 'stage') {
      const count = (occurrences.get(step.stageId) ?? 0) + 1;
      occurrences.set(step.stageId, count);
      const id = count === 1 ? step.stageId : `${step.stageId}_${count}`;
      const stage = model.stages[step.stageId];
      lines.push(`  ${id}[${label(`${step.stageId}<br/><small>${stage?.type ?? '?'}</small>`)}]`);
      return { head: id, tails: [id] };
    }
    if (step.kind === 'choice') {
      const id = `choice${++choices}`;
      lines.push(`  ${id}{${label(`choice ${choices}`)}}`);
      const join = `choice${choices}_end`;
      lines.push(`  ${join}(( ))`);
      for (const branch of step.branches) link(sequence(branch.then, [id], `when ${branch.when}`), join);
      link(sequence(step.otherwise, [id], 'otherwise'), join);
      return { head: id, tails: [join] };
    }
    const id = `parallel${++parallels}`;
    const join = `${id}_join`;
    lines.push(`  ${id}[/${label(`parallel ${parallels}`)}/]`, `  ${join}[\\${label('join')}\\]`);
    for (const branch of step.branches) link(sequence(branch, [id]), join);
    return { head: id, tails: [join] };
  };

  const tails = sequence(model.flow, ['start']);
  lines.push('  done([succeeded])');
  link(tails, 'done');
  lines.push(
    `  failed[["any failure: notify the error topic, mark the run FAILED"]]`,
    '  classDef failure fill:#fdd,stroke:#c00',
    '  class failed failure',
  );
  return `${lines.join('\n')}\n`;
}
