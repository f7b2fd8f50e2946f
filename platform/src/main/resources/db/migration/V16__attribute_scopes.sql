-- Device attributes in the three scopes of ThingsBoard's device API (SPEC 4.3): client attributes are
-- what the device reports, shared attributes are set through the API and delivered to the device,
-- server attributes are set through the API and never sent to the device. A key may exist in each
-- scope once. Existing rows are what devices reported: client attributes.
ALTER TABLE device_attributes ADD COLUMN scope text NOT NULL DEFAULT 'client'
  CHECK (scope IN ('client', 'shared', 'server'));
ALTER TABLE device_attributes ALTER COLUMN scope DROP DEFAULT;
ALTER TABLE device_attributes DROP CONSTRAINT device_attributes_pkey;
ALTER TABLE device_attributes ADD PRIMARY KEY (tenant_id, device_id, scope, key);
