-- Since ActivityScheduled v2 the four Friday kinds share one rotation (JUMAT) and the
-- visits have theirs (SERASA_DESA): turns are counted per rotation. A v1 event is read
-- with its kind as its rotation, so every row already here keeps its meaning.
alter table rotation rename column kind to rotation;
