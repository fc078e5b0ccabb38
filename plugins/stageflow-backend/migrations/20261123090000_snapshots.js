// @ts-check

/**
 * What each stage of each component ran at the last snapshot, and every
 * change observed between snapshots.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('stageflow_stage_states', table => {
    table.string('entity_ref', 255).notNullable();
    table.string('stage', 63).notNullable();
    table.string('flow', 63).notNullable();
    table.string('digest', 255).nullable();
    table.string('revision', 64).nullable();
    table.string('version', 255).nullable();
    table.string('status', 16).notNullable();
    table.text('message').nullable();
    table.text('state').notNullable();
    table.dateTime('observed_at').notNullable();
    table.primary(['entity_ref', 'stage']);
  });
  await knex.schema.createTable('stageflow_stage_transitions', table => {
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('stage', 63).notNullable();
    table.dateTime('observed_at').notNullable();
    table.string('from_digest', 255).nullable();
    table.string('to_digest', 255).nullable();
    table.string('from_version', 255).nullable();
    table.string('to_version', 255).nullable();
    table.string('revision', 64).nullable();
    table.dateTime('revision_date').nullable();
    table.string('status', 16).notNullable();
    table.index(
      ['entity_ref', 'observed_at'],
      'stageflow_transitions_entity_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('stageflow_stage_transitions');
  await knex.schema.dropTable('stageflow_stage_states');
};
