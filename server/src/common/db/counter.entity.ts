import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Named sequences (hazard codes per year): safe across server processes. */
@Entity('counter')
export class Counter {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'int', default: 0 })
  value: number;
}
