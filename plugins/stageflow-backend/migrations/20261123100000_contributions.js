// @ts-check

/**
 * One row per contributed entity. The entity ref is the primary key, not
 * (contributor, entity_ref): an entity has exactly one contributor, which is
 * what the catalog enforces too (one location key per entity).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('stageflow_contributions', table => {
    table.comment(
      'Catalog entities sent by contributors (license portal, Rancher, DevOps)',
    );
    table
      .string('entity_ref', 255)
      .primary()
      .notNullable()
      .comment('Full ref of the entity, kind:namespace/name, lowercase');
    table
      .string('contributor', 63)
      .notNullable()
      .comment('The system that sent the entity');
    table.text('entity').notNullable().comment('The entity, as JSON');
    table
      .string('updated_by', 255)
      .nullable()
      .comment('Principal of the request that last replaced the set');
    table
      .timestamp('updated_at', { useTz: true })
      .notNullable()
      .defaultTo(knex.fn.now());
    table.index(['contributor'], 'stageflow_contributions_contributor_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('stageflow_contributions');
};
