import type { StatsSummaryDto } from '@xiangan/shared';
import { registerSentences } from './report-docx';

/** The register sentences say only what the register holds: the lead names the kinds there, signs only when counted. */
describe('report words from the risk-site register', () => {
  const summary = (sites: { kind: string; label: string; unit: string; count: number; warningSigns: number }[], small2Up = 0) =>
    ({
      registers: {
        sites: sites.map((x) => ({ ...x, patrols: 0 })),
        reservoirsSmall2Up: small2Up,
        waterWarningSigns: 0,
        patrols: 0,
        incidents: [],
      },
    }) as unknown as StatsSummaryDto;

  it('a village with fireworks shops alone: 以烟花爆竹为重点, no 加油站 or 液化气', () => {
    const [lead] = registerSentences(summary([{ kind: 'fireworks_shop', label: '烟花爆竹经营点', unit: '个', count: 2, warningSigns: 2 }]));
    expect(lead).toMatch(/^以烟花爆竹为重点，不定期对辖区内的2个烟花爆竹经营点的/);
  });

  it('the town with all three names all three, in the reference order', () => {
    const [lead] = registerSentences(
      summary([
        { kind: 'fireworks_shop', label: '烟花爆竹经营点', unit: '个', count: 12, warningSigns: 12 },
        { kind: 'lpg_shop', label: '液化气经营点', unit: '个', count: 1, warningSigns: 0 },
        { kind: 'gas_station', label: '加油站', unit: '家', count: 1, warningSigns: 0 },
      ]),
    );
    expect(lead).toMatch(/^以烟花爆竹、加油站、液化气为重点，不定期对辖区内的12个烟花爆竹经营点、1个液化气经营点、1家加油站的/);
  });

  it('warning signs at geological sites are said only when the register counts some', () => {
    const without = registerSentences(summary([{ kind: 'geological', label: '地质灾害点', unit: '个', count: 9, warningSigns: 0 }]));
    expect(without).toEqual(['汛期重点排查9个地质灾害点的汛期安全，明确紧急避险路线。']);
    const withSigns = registerSentences(summary([{ kind: 'geological', label: '地质灾害点', unit: '个', count: 9, warningSigns: 18 }], 2));
    expect(withSigns).toEqual(['汛期重点排查9个地质灾害点，以及2个小2型以上的水库的汛期安全，并对地质隐患点设立安全警示标志，明确紧急避险路线。']);
  });
});
