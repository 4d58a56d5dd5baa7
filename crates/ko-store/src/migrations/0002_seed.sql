-- Version 2: what a new data dir starts with.

INSERT INTO projects (name, description) VALUES ('default', 'Default project');

-- The reference system's VM sizes.
INSERT INTO vm_sizes (name, cpu, memory_gib, disk_gib, builtin) VALUES
    ('small', 1, 2, 50, 1),
    ('medium', 2, 4, 50, 1),
    ('large', 4, 8, 100, 1),
    ('xlarge', 8, 16, 100, 1),
    ('2xlarge', 16, 32, 200, 1),
    ('4xlarge', 32, 64, 200, 1);

-- The version catalog until bundles bring their own: the two newest minors, enabled.
INSERT INTO kubernetes_versions (version, enabled, source) VALUES
    ('v1.34.1', 1, 'catalog'),
    ('v1.33.5', 1, 'catalog');
