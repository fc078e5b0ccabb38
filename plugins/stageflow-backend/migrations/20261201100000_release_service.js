// @ts-check

/**
 * Who made a change through Stageflow (history rows), and the leases that
 * make a promotion one atomic step across backend replicas.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('stageflow_stage_transitions', table => {
    table.string('actor', 255).nullable();
    table.string('task_id', 255).nullable();
  });
  await knex.schema.createTable('stageflow_promotion_locks', table => {
    table.string('lock_key', 512).primary();
    table.string('holder', 64).notNullable();
    // Milliseconds since the epoch: compared the same way on every engine.
    table.bigInteger('expires_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('stageflow_promotion_locks');
  await knex.schema.alterTable('stageflow_stage_transitions', table => {
    table.dropColumn('task_id');
    table.dropColumn('actor');
  });
};
