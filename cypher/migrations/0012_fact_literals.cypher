// Typed literal objects (extraction/literals.py): a fact whose object is a value carries it as
// Fact.object_value (ISO 8601 date/time or canonical number), Fact.datatype (XSD name) and
// Fact.unit (a number's unit as written). The object Entity (type DATE or LITERAL) stays, so
// every fact is still an edge between two entities.
// Range index for value queries: MATCH (f:Fact {datatype: 'xsd:date'}) WHERE f.object_value >= '1960'.
CREATE RANGE INDEX fact_datatype_value IF NOT EXISTS FOR (f:Fact) ON (f.datatype, f.object_value);
// Facts written before this migration whose object is a normalised DATE entity get its value.
MATCH (f:Fact)-[:OBJECT]->(o:Entity {type: 'DATE'})
WHERE f.datatype IS NULL AND o.name =~ '[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2})?)?)?'
SET f.object_value = o.name,
    f.datatype = CASE size(o.name) WHEN 4 THEN 'xsd:gYear' WHEN 7 THEN 'xsd:gYearMonth' WHEN 10 THEN 'xsd:date'
                 ELSE 'xsd:dateTime' END;
