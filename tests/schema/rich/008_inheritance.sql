-- Children whose names sort before their parents': the catalog writes parents first (a child's
-- CREATE TABLE lists only its own columns), for INHERITS and for partitions of partitions.
CREATE TABLE app.z_base (id int, label text);
CREATE TABLE app.a_derived (extra int) INHERITS (app.z_base);
CREATE TABLE app.z_readings (k int, taken date) PARTITION BY RANGE (k);
CREATE TABLE app.y_readings_low PARTITION OF app.z_readings FOR VALUES FROM (0) TO (100) PARTITION BY RANGE (taken);
CREATE TABLE app.a_readings_low_2020 PARTITION OF app.y_readings_low FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
