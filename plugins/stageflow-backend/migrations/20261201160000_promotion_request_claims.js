// @ts-check

/**
 * When an approved promotion request was last taken up to run: a request
 * whose replica died before it finished is taken up again by the next
 * sweep once this is older than the lease.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('stageflow_promotion_requests', table => {
    // Milliseconds since the epoch, as created_at.
    table.bigInteger('claimed_at').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('stageflow_promotion_requests', table => {
    table.dropColumn('claimed_at');
  });
};
