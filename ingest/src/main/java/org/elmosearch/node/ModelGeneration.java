package org.elmosearch.node;

/**
 * One load of a model and the leases on it. Retired when a reload replaces it or the node stops; its native
 * resources are freed once it is retired and no lease holds it.
 */
final class ModelGeneration {

    private final LoadedModel model;
    private int users;
    private boolean retired;

    ModelGeneration(LoadedModel model) {
        this.model = model;
    }

    LoadedModel model() {
        return model;
    }

    /** The leases not closed yet. Package-private for tests. */
    synchronized int users() {
        return users;
    }

    synchronized ModelLease enter() {
        if (retired) {
            throw new IllegalStateException("[model_id] [" + model.id() + "] was unloaded");
        }
        users++;
        return new ModelLease(this);
    }

    synchronized void leave() {
        users--;
        if (users == 0 && retired) {
            model.close();
        }
    }

    synchronized void retire() {
        if (!retired) {
            retired = true;
            if (users == 0) {
                model.close();
            }
        }
    }
}
