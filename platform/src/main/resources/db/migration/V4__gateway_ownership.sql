-- Which gateway may write for a device (security review, issue 7, item 9): a gateway publishes only
-- for the sub-devices it created or that an operator assigned to it. The gateway is a device of the
-- same tenant (composite key); deleting it leaves its sub-devices unassigned.

ALTER TABLE devices ADD CONSTRAINT devices_tenant_id_id_key UNIQUE (tenant_id, id);
ALTER TABLE devices ADD COLUMN gateway_id uuid;
ALTER TABLE devices ADD CONSTRAINT devices_gateway_fk FOREIGN KEY (tenant_id, gateway_id)
  REFERENCES devices (tenant_id, id) ON DELETE SET NULL (gateway_id);
ALTER TABLE devices ADD CONSTRAINT devices_gateway_not_self CHECK (gateway_id <> id);
CREATE INDEX devices_tenant_gateway_idx ON devices (tenant_id, gateway_id) WHERE gateway_id IS NOT NULL;

-- Sub-devices created by a gateway before this migration carry its name in the label "gateway":
-- they stay writable by it. RLS is forced for the owner too, so it is lifted for this one statement
-- (inside the migration's transaction).
ALTER TABLE devices NO FORCE ROW LEVEL SECURITY;
UPDATE devices d SET gateway_id = g.id
  FROM devices g
  WHERE g.tenant_id = d.tenant_id AND g.type = 'gateway' AND g.name = d.labels ->> 'gateway' AND g.id <> d.id;
ALTER TABLE devices FORCE ROW LEVEL SECURITY;
