// @ts-check

/**
 * Promotion requests to protected stages (approvals), and who approved a
 * promotion in its history row.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('stageflow_promotion_requests', table => {
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable().index();
    table.string('stage', 63).notNullable();
    table.string('version', 255).notNullable();
    table.string('digest', 255).notNullable();
    table.string('previous_version', 255).nullable();
    table.string('previous_digest', 255).nullable();
    // The promotion request as it will run (JSON).
    table.text('request').notNullable();
    table.string('requester', 255).notNullable();
    table.string('task_id', 255).nullable();
    table.integer('required').notNullable();
    // Group refs whose members may decide (JSON array).
    table.text('approvers').notNullable();
    // Approvals and rejections so far (JSON array).
    table.text('decisions').notNullable();
    table.string('state', 16).notNullable();
    table.text('message').nullable();
    // Bumped on every change: decisions are compare-and-set on it.
    table.integer('revision').notNullable();
    // Milliseconds since the epoch: compared the same way on every engine.
    table.bigInteger('created_at').notNullable();
    table.bigInteger('expires_at').notNullable();
  });
  await knex.schema.alterTable('stageflow_stage_transitions', table => {
    table.text('approvers').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('stageflow_stage_transitions', table => {
    table.dropColumn('approvers');
  });
  await knex.schema.dropTable('stageflow_promotion_requests');
};
