// @ts-check

/**
 * Which replica runs the snapshot now, until when its claim holds unless
 * renewed, and when the next snapshot is due. One row.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('stageflow_snapshot_lease', table => {
    table.string('id', 63).primary().notNullable();
    table.string('holder', 63).nullable();
    table.timestamp('expires_at', { useTz: true }).nullable();
    table.timestamp('next_run_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('stageflow_snapshot_lease');
};
