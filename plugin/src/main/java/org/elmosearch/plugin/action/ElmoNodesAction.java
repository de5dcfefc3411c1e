package org.elmosearch.plugin.action;

import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.nodes.BaseNodeResponse;
import org.elasticsearch.action.support.nodes.BaseNodesRequest;
import org.elasticsearch.action.support.nodes.TransportNodesAction;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.AbstractTransportRequest;
import org.elasticsearch.transport.TransportService;
import org.elmosearch.node.ElmoModelRegistry;
import org.elmosearch.node.ElmoStats;
import org.elmosearch.node.ModelInfo;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Gathers every node's models and embedding counters, for {@code GET _elmo/models} and {@code GET _elmo/stats}. */
public final class ElmoNodesAction extends TransportNodesAction<
        ElmoNodesAction.Request, ElmoNodesAction.Response, ElmoNodesAction.NodeRequest, ElmoNodesAction.NodeResponse, Void> {

    public static final String NAME = "cluster:monitor/elmo/nodes";
    public static final ActionType<Response> TYPE = new ActionType<>(NAME);

    private final ElmoModelRegistry registry;
    private final ElmoStats stats;

    @Inject
    public ElmoNodesAction(ThreadPool threadPool, ClusterService clusterService, TransportService transportService,
                           ActionFilters actionFilters, ElmoModelRegistry registry, ElmoStats stats) {
        super(NAME, clusterService, transportService, actionFilters, NodeRequest::new, threadPool.executor(ThreadPool.Names.MANAGEMENT));
        this.registry = registry;
        this.stats = stats;
    }

    @Override
    protected Response newResponse(Request request, List<NodeResponse> responses, List<FailedNodeException> failures) {
        return new Response(clusterService.getClusterName(), responses, failures);
    }

    @Override
    protected NodeRequest newNodeRequest(Request request) {
        return new NodeRequest();
    }

    @Override
    protected NodeResponse newNodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
        return new NodeResponse(in, node);
    }

    @Override
    protected NodeResponse nodeOperation(NodeRequest request, Task task) {
        return new NodeResponse(clusterService.localNode(), registry.root().toString(), registry.describe(), stats.snapshot(registry.tokenCaches()),
                registry.memory());
    }

    /** All nodes, or those named. */
    public static final class Request extends BaseNodesRequest {
        public Request(String... nodeIds) {
            super(nodeIds);
        }
    }

    public static final class NodeRequest extends AbstractTransportRequest {
        NodeRequest() {
        }

        NodeRequest(StreamInput in) throws IOException {
            super(in);
        }
    }

    /** One node's models directory, models, counters, and the models' native memory. */
    public static final class NodeResponse extends BaseNodeResponse {
        private final String modelsPath;
        private final List<ModelInfo> models;
        private final Map<String, ElmoStats.Snapshot> stats;
        private final ElmoStats.Memory memory;

        NodeResponse(DiscoveryNode node, String modelsPath, List<ModelInfo> models, Map<String, ElmoStats.Snapshot> stats,
                     ElmoStats.Memory memory) {
            super(node);
            this.modelsPath = modelsPath;
            this.models = models;
            this.stats = stats;
            this.memory = memory;
        }

        NodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
            super(in, node);
            modelsPath = in.readString();
            models = in.readCollectionAsList(ModelInfo::new);
            stats = in.readMap(ElmoStats.Snapshot::new);
            memory = new ElmoStats.Memory(in);
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeString(modelsPath);
            out.writeCollection(models);
            out.writeMap(stats, StreamOutput::writeString, StreamOutput::writeWriteable);
            memory.writeTo(out);
        }

        public String modelsPath() {
            return modelsPath;
        }

        public List<ModelInfo> models() {
            return models;
        }

        public Map<String, ElmoStats.Snapshot> stats() {
            return stats;
        }

        public ElmoStats.Memory memory() {
            return memory;
        }
    }

    public static final class Response extends LocalNodesResponse<NodeResponse> {
        Response(ClusterName clusterName, List<NodeResponse> nodes, List<FailedNodeException> failures) {
            super(clusterName, nodes, failures);
        }
    }
}
